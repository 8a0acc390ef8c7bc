"""(being written)"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path


@login_required
def home(request):
    return HttpResponse("")


urlpatterns = [path("rantai-pasok/", home, name="home")]
