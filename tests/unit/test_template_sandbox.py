"""An organisation's own message templates cannot exhaust the dispatcher (memory, CPU) nor
escape the HTML part's autoescaping: each hostile template here rendered (or ran for long)
in the sandbox before ``notify/sandbox.py``; the shipped templates still pass as overrides, so
an admin can start from them."""

from __future__ import annotations

import time

import pytest

from checkround.notify.compose import TemplateRefused, check_template, compose
from checkround.notify.sandbox import MAX_LOOP_ITEMS, MAX_OUTPUT
from checkround.notify.settings import sample_params
from tests.unit.test_notify_parts import TEMPLATES

KINDS = ("link", "reminder", "returned", "accepted", "summary", "digest")


def refused(kind: str, txt: str, html: str = "<p>{{ link }}</p>", params: dict | None = None) -> str:
    """The sandbox's reason for refusing the template, checked with ``params`` (else samples)."""
    sources = {"txt": txt, "html": html}
    with pytest.raises(TemplateRefused) as caught:
        check_template(TEMPLATES, kind, sources, sample_params(kind) if params is None else params)
    return str(caught.value)


@pytest.mark.parametrize(
    "source",
    [
        # replace applied to its own output: 40 characters become 2.7 million
        "{{ link|replace('', link)|replace('', link)|replace('', link) }}",
        # a macro that calls itself twice: 2^16 calls
        "{% macro f(n) %}{% if n < 16 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}x{% endmacro %}{{ f(0) }}",
        # values kept between statements, each doubling the last
        "{% set a = link ~ link %}{% set b = a ~ a %}{% set c = b ~ b %}{{ c }}",
        "{% with a = link ~ link %}{{ a }}{% endwith %}",
        # a loop inside a loop, and a loop over something built rather than given
        "{% for a in comments %}{% for b in comments %}{{ b.text }}{% endfor %}{% endfor %}",
        "{% for a in link|list %}{{ a }}{% endfor %}",
        "{% for a in comments recursive %}{{ loop(comments) }}{% endfor %}",
        # Python's string methods and formatting, which take a width
        "{{ link.center(1000000) }}",
        "{{ '%01000000d' % 1 }}",
        "{{ '%01000000d'|format(1) }}",
        "{{ link|center(1000000) }}",
        "{{ link|indent(1000000, true) }}",
        "{{ [link]|batch(1000000, link)|list }}",
        # numbers that grow without bound
        "{{ revision * 99999999999999999999999999999999999999999999999999999999999999999999999999999999999 }}",
        # a block called again and again through self
        "{% block b %}x{% endblock %}{{ self.b() }}",
    ],
)
def test_a_template_that_could_exhaust_the_dispatcher_is_refused(source):
    assert refused("returned", source)


def test_a_template_that_writes_too_much_is_stopped_as_it_renders():
    params = {
        **sample_params("digest"),
        "submissions": [{"at": "12/06/2019 08:30", "unit": "Đoàn TN " + "x" * 300, "late": False}] * 1000,
    }
    reason = refused("digest", "{% for s in submissions %}{{ s.unit }}{{ s.unit }}{% endfor %}", params=params)
    assert str(MAX_OUTPUT) in reason


def test_loops_take_a_bounded_number_of_items_in_all():
    params = {**sample_params("digest"), "submissions": [{"at": "", "unit": "u", "late": False}] * MAX_LOOP_ITEMS}
    one_loop = "{% for s in submissions %}{{ s.unit }}{% endfor %}"
    assert compose(TEMPLATES, "digest", "vi", params, {"txt": one_loop, "html": "x"}).text == "u" * MAX_LOOP_ITEMS
    reason = refused("digest", one_loop + one_loop, params=params)
    assert str(MAX_LOOP_ITEMS) in reason


def test_work_that_writes_nothing_is_charged_too():
    """A loop whose body searches a long value again and again writes nothing: the searches
    are charged, and the render stops after a bounded time."""
    params = {**sample_params("returned"), "message": "ab" * 2000, "comments": [{"label": "x", "text": "y"}] * 2000}
    body = "{% if 'zz' in message %}{% endif %}" * 20
    started = time.process_time()
    reason = refused("returned", "{% for c in comments %}" + body + "{% endfor %}", params=params)
    assert "characters of work" in reason
    assert time.process_time() - started < 5


def test_the_html_part_cannot_turn_its_escaping_off():
    params = {**sample_params("link"), "name": "<script>x</script>"}
    for html in (
        "{% endautoescape %}{{ name }}",  # closing the block it used to be wrapped in
        "{% autoescape false %}{{ name }}{% endautoescape %}",
        "{{ name|safe }}",
    ):
        assert refused("link", "{{ name }}", html, params=params)
    composed = compose(TEMPLATES, "link", "vi", params, {"txt": "{{ name }}", "html": "<b>{{ name }}</b>"})
    assert composed.html == "<b>&lt;script&gt;x&lt;/script&gt;</b>"


@pytest.mark.parametrize("kind", KINDS)
def test_the_shipped_templates_pass_as_an_organisations_own(kind):
    sources = {part: (TEMPLATES / "notify" / f"{kind}.{part}.j2").read_text() for part in ("txt", "html")}
    check_template(TEMPLATES, kind, sources, sample_params(kind))
    shipped = compose(TEMPLATES, kind, "en", sample_params(kind))
    assert compose(TEMPLATES, kind, "en", sample_params(kind), sources) == shipped


def test_an_ordinary_template_keeps_its_filters_and_comparisons():
    params = sample_params("returned")
    source = (
        "{{ unit|upper }} {{ comments|map(attribute='label')|join(', ') }} {{ message|replace('Xin', 'Đề nghị') }}"
        "{% if revision > 1 and 'bổ' in message %} ({{ revision * 2 }}){% endif %}"
        "{% for c in comments %}{% if loop.first %}: {% endif %}{{ c.text|truncate(10) }}{% endfor %}"
    )
    composed = compose(
        TEMPLATES, "returned", "vi", params, {"txt": source, "html": "<p>{{ t('hello', name=name) }}</p>"}
    )
    assert composed.text == "ĐOÀN TN CÔNG AN TỈNH Mục 1 Đề nghị bổ sung. (4): Bổ..."
    assert composed.html == "<p>Kính gửi Nguyễn Văn An,</p>"


def test_a_template_cannot_name_the_filter_that_charges_its_loops():
    """The sandbox puts ``loop_steps`` in front of each loop after its check; a template naming
    it with a negative body size gave itself steps to spend: a loop of a long body over
    many items, refused alone, then ran."""
    body = "{{ s.unit }}" * 300
    params = {**sample_params("digest"), "submissions": [{"at": "", "unit": "u", "late": False}] * 4000}
    long_loop = "{% for s in submissions %}" + body + "{% endfor %}"
    assert "steps" in refused("digest", long_loop, params=params)
    assert refused("digest", "{% if submissions|loop_steps(-1000000) %}{% endif %}" + long_loop, params=params)
    assert refused("digest", "{{ submissions|map('loop_steps', -1)|list }}")
