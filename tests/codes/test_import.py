import io

import pytest
from django.core.management import CommandError, call_command

from codes.importing import CodeImportError, codes_import_csv
from codes.models import Code, CodeRevision
from tests.factories import code_make

pytestmark = pytest.mark.django_db

HEADER = "code,nomenclature,descriptor,category"
FULL_HEADER = (
    "code,nomenclature,descriptor,category,body,documentation,billing_tips,"
    "related_codes,status,effective_year,deleted_year"
)


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str | bytes, name: str = "codes.csv"):
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
        return path

    return write


def db_counts() -> tuple[int, int]:
    return Code.objects.count(), CodeRevision.objects.count()


def related_of(number: str) -> list[str]:
    return sorted(Code.objects.get(code=number).related_codes.values_list("code", flat=True))


def import_error(path, **kwargs) -> CodeImportError:
    with pytest.raises(CodeImportError) as excinfo:
        codes_import_csv(path_or_file=path, **kwargs)
    return excinfo.value


GOOD = (
    FULL_HEADER
    + "\n"
    + 'D0370,Maxillofacial ultrasound,"Ultrasound, with interpretation.",Diagnostic Imaging,'
    + '"First paragraph.\n\nSecond paragraph.","- Reason\n- Report",Medical plan first.,'
    + "D0386,active,2010,\n"
    + "D0386,Ultrasound capture only,Capture without reading.,diagnostic-imaging,,,,,,,\n"
    + "d1110,Adult cleaning,Prophylaxis.,PREVENTIVE,,,,,,,\n"
)


def test_good_file_adds_every_code_with_its_fields(categories, csv_file):
    report = codes_import_csv(path_or_file=csv_file(GOOD))

    assert report.summary == "added 3, changed 0, unchanged 0, deleted 0"
    assert report.added == ["D0370", "D0386", "D1110"]
    code = Code.objects.get(code="D0370")
    assert code.nomenclature == "Maxillofacial ultrasound"
    assert code.descriptor == "Ultrasound, with interpretation."
    assert code.body == "First paragraph.\n\nSecond paragraph."
    assert code.documentation == "- Reason\n- Report"
    assert code.billing_tips == "Medical plan first."
    assert (code.status, code.effective_year, code.deleted_year, code.revision) == (
        "active",
        2010,
        None,
        1,
    )


def test_category_is_found_by_name_or_slug_in_any_case(categories, csv_file):
    codes_import_csv(path_or_file=csv_file(GOOD))

    assert Code.objects.get(code="D0370").category == categories["diagnostic-imaging"]
    assert Code.objects.get(code="D0386").category == categories["diagnostic-imaging"]
    assert Code.objects.get(code="D1110").category == categories["preventive"]


def test_file_with_byte_order_mark_is_read(categories, csv_file):
    path = csv_file(b"\xef\xbb\xbf" + GOOD.encode())

    report = codes_import_csv(path_or_file=path)

    assert len(report.added) == 3


def test_uploaded_file_object_is_read_like_a_path(categories):
    upload = io.BytesIO(GOOD.encode("utf-8-sig"))
    upload.name = "upload/codes-2026.csv"

    report = codes_import_csv(path_or_file=upload)

    assert (report.source, len(report.added)) == ("codes-2026.csv", 3)


def test_import_writes_revision_one_with_the_file_name_as_note(categories, csv_file):
    codes_import_csv(path_or_file=csv_file(GOOD, name="cdt-2026.csv"))

    revision = CodeRevision.objects.get(code__code="D0370")
    assert revision.revision == 1
    assert revision.note == "Imported from cdt-2026.csv"
    assert revision.related_codes == ["D0386"]


def test_reimport_reports_everything_unchanged_and_writes_no_revision(categories, csv_file):
    path = csv_file(GOOD)
    codes_import_csv(path_or_file=path)
    before = db_counts()

    report = codes_import_csv(path_or_file=path)

    assert report.summary == "added 0, changed 0, unchanged 3, deleted 0"
    assert not report.changed_anything
    assert db_counts() == before
    assert Code.objects.get(code="D0370").revision == 1


def test_changed_row_writes_a_new_revision_with_its_changed_fields(categories, csv_file):
    codes_import_csv(path_or_file=csv_file(GOOD))
    changed = GOOD.replace("Medical plan first.", "Check the medical plan first.")

    report = codes_import_csv(path_or_file=csv_file(changed, name="update.csv"))

    assert (report.changed, len(report.unchanged), report.revisions) == (["D0370"], 2, 1)
    code = Code.objects.get(code="D0370")
    assert (code.revision, code.billing_tips) == (2, "Check the medical plan first.")
    latest = code.revisions.latest()
    assert latest.changed_fields == ["billing_tips"]
    assert latest.note == "Imported from update.csv"


def test_absent_optional_columns_leave_those_fields_and_relations_alone(categories, csv_file):
    codes_import_csv(path_or_file=csv_file(GOOD))
    only_required = f"{HEADER}\nD0370,Maxillofacial ultrasound,New descriptor.,diagnostic-imaging\n"

    report = codes_import_csv(path_or_file=csv_file(only_required))

    assert report.changed == ["D0370"]
    code = Code.objects.get(code="D0370")
    assert code.descriptor == "New descriptor."
    assert (code.billing_tips, code.effective_year) == ("Medical plan first.", 2010)
    assert related_of("D0370") == ["D0386"]
    assert code.revisions.latest().changed_fields == ["descriptor"]


def test_related_codes_in_the_file_are_set_in_both_directions(categories, csv_file):
    text = (
        f"{HEADER},related_codes\n"
        "D0380,CBCT limited,Capture only.,diagnostic-imaging,D0381 D0391\n"
        "D0381,CBCT mandible,Capture only.,diagnostic-imaging,\n"
        "D0391,Interpretation,Reading and report.,diagnostic-imaging,\n"
    )

    codes_import_csv(path_or_file=csv_file(text))

    assert related_of("D0380") == ["D0381", "D0391"]
    assert related_of("D0381") == ["D0380"]
    assert related_of("D0391") == ["D0380"]
    assert CodeRevision.objects.get(code__code="D0391").related_codes == ["D0380"]


def test_related_codes_column_replaces_the_whole_set(categories, csv_file):
    imaging = categories["diagnostic-imaging"]
    code_make("D0340", category=imaging)
    code_make("D0391", category=imaging)
    code_make("D0702", category=imaging, related=["D0340", "D0391"])
    text = f"{HEADER},related_codes\nD0702,Ceph capture,Capture only.,diagnostic-imaging,D0340\n"

    codes_import_csv(path_or_file=csv_file(text))

    assert related_of("D0702") == ["D0340"]
    assert related_of("D0391") == []


def test_row_with_status_deleted_imports_a_deleted_code(categories, csv_file):
    text = (
        f"{FULL_HEADER}\nD0360,Old CBCT capture,Former code.,diagnostic-imaging,,,,,deleted,,2013\n"
    )

    codes_import_csv(path_or_file=csv_file(text))

    code = Code.objects.get(code="D0360")
    assert (code.status, code.deleted_year) == ("deleted", 2013)


def test_mark_missing_deleted_marks_active_codes_absent_from_the_file(categories, csv_file):
    imaging = categories["diagnostic-imaging"]
    code_make("D0370", category=imaging)
    code_make("D0371", category=imaging)
    code_make("D0360", category=imaging, status="deleted", deleted_year=2013)
    text = f"{HEADER}\nD0370,Maxillofacial ultrasound,Capture and reading.,diagnostic-imaging\n"

    report = codes_import_csv(path_or_file=csv_file(text), mark_missing_deleted=2026)

    assert report.deleted == ["D0371"]
    assert report.summary == "added 0, changed 2, unchanged 0, deleted 1"
    missing = Code.objects.get(code="D0371")
    assert (missing.status, missing.deleted_year, missing.revision) == ("deleted", 2026, 2)
    assert missing.revisions.latest().note == "Marked deleted in 2026: not in codes.csv"
    assert missing.revisions.latest().changed_fields == ["status", "deleted_year"]
    already = Code.objects.get(code="D0360")
    assert (already.deleted_year, already.revision) == (2013, 1)
    assert Code.objects.get(code="D0370").status == "active"


def test_without_the_flag_codes_missing_from_the_file_stay_active(categories, csv_file):
    code_make("D0371", category=categories["diagnostic-imaging"])
    text = f"{HEADER}\nD0370,Maxillofacial ultrasound,Capture and reading.,diagnostic-imaging\n"

    report = codes_import_csv(path_or_file=csv_file(text))

    assert report.deleted == []
    assert Code.objects.get(code="D0371").status == "active"


def test_empty_rows_are_skipped_and_lines_count_quoted_line_breaks(categories, csv_file):
    text = (
        f"{HEADER},body\n"  # line 1
        "\n"  # line 2
        'D0370,Ultrasound,Reading.,diagnostic-imaging,"one\ntwo\nthree"\n'  # lines 3-5
        ",,,,\n"  # line 6
        "D0371,Sialoendoscopy,Reading.,no-such-category,\n"  # line 7
    )

    error = import_error(csv_file(text))

    assert [str(issue) for issue in error.issues] == [
        "line 7, field category: Unknown category “no-such-category”."
    ]


BAD_FILES = [
    pytest.param(
        f"{HEADER},colour\nD0370,Ultrasound,Reading.,diagnostic-imaging,blue\n",
        "line 1, field colour: Unknown column “colour”",
        id="unknown column",
    ),
    pytest.param(
        "code,nomenclature,descriptor\nD0370,Ultrasound,Reading.\n",
        "line 1, field category: This required column is missing.",
        id="missing required column",
    ),
    pytest.param(
        f"{HEADER}\nD0370,Ultrasound,Reading.,diagnostic-imaging\n"
        "D0371,Sialoendoscopy,Reading.,Cosmetic\n",
        "line 3, field category: Unknown category “Cosmetic”.",
        id="unknown category",
    ),
    pytest.param(
        f"{HEADER}\nD0370,Ultrasound,Reading.,diagnostic-imaging\nX123,Bad,Bad.,diagnostic\n",
        "line 3, field code: “X123” is not a CDT code",
        id="bad code",
    ),
    pytest.param(
        f"{HEADER},effective_year\nD0370,Ultrasound,Reading.,diagnostic-imaging,2010\n"
        "D0371,Sialoendoscopy,Reading.,diagnostic-imaging,20x4\n",
        "line 3, field effective_year: “20x4” is not a year.",
        id="bad year",
    ),
    pytest.param(
        f"{HEADER}\nD0370,Ultrasound,Reading.,diagnostic-imaging\n"
        "d0370 ,Ultrasound again,Reading.,diagnostic-imaging\n",
        "line 3, field code: D0370 is listed twice, on line 2 and line 3.",
        id="duplicate code",
    ),
    pytest.param(
        f"{HEADER},related_codes\nD0370,Ultrasound,Reading.,diagnostic-imaging,D0999\n",
        "line 2, field related_codes: Unknown codes: D0999.",
        id="unknown related code",
    ),
    pytest.param(
        f"{HEADER}\nD0370,Ultrasound,Reading.,diagnostic-imaging\n"
        "D0371,Sialoendoscopy, with a comma,Reading.,diagnostic-imaging\n",
        "line 3: This row has 5 values but the header has 4 columns",
        id="too many values",
    ),
    pytest.param(
        f"{HEADER}\nD0370,Ultrasound,Reading.,diagnostic-imaging\n"
        'D0371,"Sialoendoscopy,Reading.,diagnostic-imaging\n',
        "line 3: This row cannot be read as CSV",
        id="unclosed quote",
    ),
    pytest.param(
        f"{HEADER}\nD0370,Ultrasound,Reading.,diagnostic-imaging\n"
        "D0371,Sialoendoscopie,Lecture,diagnostic-imaging\n".replace("ie,", "\xe9,").encode(
            "latin-1"
        ),
        "line 3: The file is not UTF-8",
        id="not UTF-8",
    ),
    pytest.param(
        f"{HEADER}\nD0370,Ultrasound,Reading.,diagnostic-imaging\nD0371,S\x00,R,diagnostic\n",
        "line 3: The file contains a NUL character",
        id="NUL character",
    ),
    pytest.param(
        "\ufeffcode,nomenclature\n".encode("utf-16"),
        "line 1: The file is not UTF-8",
        id="UTF-16",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_file_names_the_line_and_field_and_imports_nothing(categories, csv_file, text, message):
    code_make("D0370", category=categories["diagnostic-imaging"], descriptor="Old.")
    before = db_counts()

    error = import_error(csv_file(text))

    assert any(str(issue).startswith(message) for issue in error.issues), error.issues
    assert db_counts() == before
    code = Code.objects.get(code="D0370")
    assert (code.descriptor, code.revision) == ("Old.", 1)


def test_every_bad_row_is_reported_in_one_pass(categories, csv_file):
    text = (
        f"{HEADER},effective_year\n"
        "D0370,Ultrasound,Reading.,diagnostic-imaging,\n"
        "D0370,Again,Reading.,diagnostic-imaging,\n"
        "D0371,,Reading.,diagnostic-imaging,\n"
        "D0380,CBCT,Capture.,Cosmetic,1800\n"
    )

    error = import_error(csv_file(text))

    assert [str(issue).split(":")[0] for issue in error.issues] == [
        "line 3, field code",
        "line 4, field nomenclature",
        "line 5, field category",
        "line 5, field effective_year",
    ]
    assert not Code.objects.exists()


def test_a_long_list_of_errors_is_cut_short_with_a_count(categories, csv_file):
    rows = "".join(f"D{n:04d},Name,Text.,Cosmetic\n" for n in range(100, 160))

    error = import_error(csv_file(f"{HEADER}\n{rows}"))

    assert len(error.issues) == 60
    messages = error.messages()
    assert len(messages) == 51
    assert messages[-1] == "and 10 more"
    assert "60 errors; nothing was imported." in error.describe()


def test_header_without_rows_is_an_error(categories, csv_file):
    error = import_error(csv_file(f"{HEADER}\n\n"))

    assert [issue.message for issue in error.issues] == ["The file has a header but no codes."]


def test_mark_missing_deleted_with_an_implausible_year_deletes_nothing(categories, csv_file):
    code_make("D0371", category=categories["diagnostic-imaging"])
    text = f"{HEADER}\nD0370,Ultrasound,Reading.,diagnostic-imaging\n"

    error = import_error(csv_file(text), mark_missing_deleted=26)

    assert str(error.issues[0]).startswith("field --mark-missing-deleted: 26 is not a plausible")
    assert Code.objects.get(code="D0371").status == "active"
    assert not Code.objects.filter(code="D0370").exists()


def test_file_errors_also_stop_mark_missing_deleted(categories, csv_file):
    code_make("D0371", category=categories["diagnostic-imaging"])
    text = f"{HEADER}\nD0370,Ultrasound,Reading.,Cosmetic\n"

    import_error(csv_file(text), mark_missing_deleted=2026)

    assert Code.objects.get(code="D0371").status == "active"


def test_dry_run_reports_the_changes_and_writes_nothing(categories, csv_file):
    code_make("D0371", category=categories["diagnostic-imaging"])
    before = db_counts()

    report = codes_import_csv(path_or_file=csv_file(GOOD), dry_run=True, mark_missing_deleted=2026)

    assert report.dry_run
    assert report.summary == "added 3, changed 1, unchanged 0, deleted 1"
    assert db_counts() == before
    assert Code.objects.get(code="D0371").status == "active"


def test_progress_is_reported_for_reading_and_for_importing(categories, csv_file):
    calls = []

    codes_import_csv(path_or_file=csv_file(GOOD), progress=lambda *args: calls.append(args))

    # Physical lines: the first row's quoted cells span lines 2 to 5.
    assert [c for c in calls if c[0] == "read"] == [("read", 5, 7), ("read", 6, 7), ("read", 7, 7)]
    assert calls[-1] == ("apply", 3, 3)


# The command


class TerminalIO(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_command(*args, stderr=None) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), stderr or io.StringIO()
    call_command("import_codes", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_command_prints_a_summary_and_no_progress_bar_when_not_a_terminal(categories, csv_file):
    out, err = run_command(str(csv_file(GOOD)))

    assert out.splitlines()[-1] == "added 3, changed 0, unchanged 0, deleted 0"
    assert "Read 3 codes from codes.csv." in out
    assert err == ""


def test_command_draws_progress_bars_on_a_terminal(categories, csv_file):
    out, err = run_command(str(csv_file(GOOD)), stderr=TerminalIO())

    assert "Reading: 100%" in err
    assert "Importing: 100%" in err
    assert "3/3" in err
    assert out.splitlines()[-1] == "added 3, changed 0, unchanged 0, deleted 0"


def test_command_says_when_nothing_changed(categories, csv_file):
    path = str(csv_file(GOOD))
    run_command(path)

    out, _ = run_command(path)

    assert "Nothing changed" in out
    assert out.splitlines()[-1] == "added 0, changed 0, unchanged 3, deleted 0"


def test_command_dry_run_says_nothing_was_written(categories, csv_file):
    out, _ = run_command(str(csv_file(GOOD)), "--dry-run")

    assert "Dry run: nothing was written." in out
    assert out.splitlines()[-1] == "added 3, changed 0, unchanged 0, deleted 0"
    assert not Code.objects.exists()


def test_command_marks_missing_codes_deleted(categories, csv_file):
    code_make("D0371", category=categories["diagnostic-imaging"])

    out, _ = run_command(str(csv_file(GOOD)), "--mark-missing-deleted", "2026")

    assert "Marked deleted: D0371." in out
    assert out.splitlines()[-1] == "added 3, changed 1, unchanged 0, deleted 1"


def test_command_fails_naming_the_line_and_imports_nothing(categories, csv_file):
    text = f"{HEADER}\nD0370,Ultrasound,Reading.,diagnostic-imaging\nD0371,S,R,Cosmetic\n"

    with pytest.raises(CommandError) as excinfo:
        run_command(str(csv_file(text)))

    message = str(excinfo.value)
    assert message.startswith("codes.csv: 1 error; nothing was imported.")
    assert "line 3, field category: Unknown category “Cosmetic”." in message
    assert not Code.objects.exists()


def test_command_fails_clearly_for_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*nope.csv"):
        run_command(str(tmp_path / "nope.csv"))
