from django.http import HttpResponse, HttpResponseNotFound


def home(request):
    return HttpResponse("placeholder")


def code_list(request):
    return HttpResponse("placeholder")


def code_detail(request, code):
    return HttpResponse("placeholder")


def page_not_found(request, exception=None):
    return HttpResponseNotFound("Not found")
