from django.db import migrations


def load_categories(apps, schema_editor):
    from codes.categories import categories_ensure

    categories_ensure(apps.get_model("codes", "Category"))


class Migration(migrations.Migration):
    dependencies = [("codes", "0001_initial")]

    operations = [migrations.RunPython(load_categories, migrations.RunPython.noop)]
