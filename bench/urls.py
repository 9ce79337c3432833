"""The portal's URLs plus the calibration page: what Django itself does on this machine (bench only)."""

from django import forms
from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns


class CalibrationForm(forms.Form):
    name = forms.CharField(max_length=50)
    topic = forms.ChoiceField(choices=[("a", "路灯"), ("b", "水渠"), ("c", "垃圾")])
    text = forms.CharField(widget=forms.Textarea)


def calibrate(request):
    """A minimal Django view: a small template with a form, through the same middleware as every page."""
    return render(request, "bench/calibrate.html", {"form": CalibrationForm()})


urlpatterns = [path("bench/calibrate/", calibrate, name="bench_calibrate"), *portal_urlpatterns]
