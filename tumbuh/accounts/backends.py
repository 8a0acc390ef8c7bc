"""Sign-in with an e-mail address or an Indonesian phone number."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from tumbuh.accounts.models import User
from tumbuh.core.validators import normalise_phone


def find_user(login: str) -> User | None:
    """The active-or-not user whose e-mail or phone number is ``login``, if any."""
    login = (login or "").strip()
    if not login:
        return None
    if "@" in login:
        return User.objects.filter(email__iexact=login).first()
    try:
        phone = normalise_phone(login)
    except ValidationError:
        return None
    return User.objects.filter(phone=phone).first()


class EmailOrPhoneBackend(ModelBackend):
    """Authenticates ``username`` as an e-mail address or a phone number in any common form."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        login = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if login is None or password is None:
            return None
        user = find_user(login)
        if user is None:
            # Hash anyway, so response time does not tell whether an account exists.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
