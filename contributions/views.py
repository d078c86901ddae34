from django.http import HttpResponse


def suggest(request, code):
    return HttpResponse("placeholder")


def track_submission(request, token):
    return HttpResponse("placeholder")
