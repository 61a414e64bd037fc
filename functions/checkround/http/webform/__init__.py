"""``web_form``: the HTML form a unit opens from its link, split by job.

- :mod:`.routes`: the route table (``router``), a few lines per route;
- :mod:`.session`: the link traded for a signed session cookie (``GET /r/{round}?t=<token>``
  redirects to the same page without the token) and the CSRF token every post carries;
- :mod:`.pages`: the form, the receipt and the error pages;
- :mod:`.posts`: the form's POST (save a draft, submit, add or remove a repeat row);
- :mod:`.render`: the Jinja environment, the page's language, relative links and redirects;
- :mod:`.assets`: the stylesheet and scripts (``GET /assets/{file}``) and the security headers.

What a posted page holds and the preview of its rules are the forms service's
(:mod:`checkround.forms.webform`), not the edge's. The page's script evaluates the same JSON
Logic rules as the server. Every failure a unit can cause is answered with an HTML page in the
page's language.
"""

from .routes import router

__all__ = ["router"]
