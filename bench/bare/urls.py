"""One view: a fixed page of about 6 KB, the size of a code page."""

from django.http import HttpResponse
from django.urls import path

_ROW = "<tr><td>D0000</td><td>A fixed row of text standing in for a code and its title</td></tr>\n"
PAGE = (
    "<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>Bare view</title></head>"
    "<body><h1>Bare Django view</h1><table>\n" + _ROW * 66 + "</table></body></html>\n"
).encode()


def page(request):
    return HttpResponse(PAGE)


urlpatterns = [path("", page)]
