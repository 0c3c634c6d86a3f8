"""The Content-Security-Policy of every page (django-csp), with the admin's one exception.

The site's scripts run by nonce only, and no inline style applies. Django's admin includes its
scripts without a nonce, and its scripts (jQuery's) write style attributes, so its pages, seen
by staff only, also allow the scripts of this origin and inline styles. A view that sets its
own header (the inline display of a document) keeps it: the middleware never replaces a
header already set.
"""

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase


class PolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.app_name == "admin":
            parts.update = {
                **(parts.update or {}),
                "script-src": [SELF],
                "style-src": [UNSAFE_INLINE],
            }
        return parts
