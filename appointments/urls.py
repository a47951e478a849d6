from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views
from .booking import views as booking

app_name = "appointments"

urlpatterns = [
    path(_("request/"), views.request_appointment, name="request"),
    path(_("request/thanks/"), views.thanks, name="thanks"),
    # Booking online (appointments.booking): visit type, day and time, details, booked.
    path(_("book/"), booking.choose_visit, name="book"),
    path(_("book/<int:visit_type_id>/"), booking.choose_time, name="book_times"),
    path(_("book/<int:visit_type_id>/details/"), booking.book_details, name="book_details"),
    path(_("book/<int:visit_type_id>/waiting-list/"), booking.join_waiting_list, name="waiting_list"),
    path(_("book/booked/"), booking.booked, name="booked"),
    path(_("booking/<str:token>/"), booking.manage_booking, name="manage_booking"),
    path(_("booking/<str:token>/move/"), booking.move_booking, name="move_booking"),
    path(_("offer/<str:token>/"), booking.take_offer, name="offer"),
]
