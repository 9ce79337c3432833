"""`{% stacktable %}` marks each body cell with its column's header, escaped once (issue 13: render cost)."""

from core.templatetags.tables import stack_table

TABLE = """<table class="t"><thead><tr><th>Issue</th><th colspan="2">Stage &amp; "step" ▲</th><th>Due</th>
</tr></thead>
<tbody><tr class="overdue"><td>#1</td><td>a</td><td class="x">b</td><td data-label="own">c</td></tr>
<tr><td colspan="4">Nothing here.</td></tr>
<tr><td colspan="2">ab</td><td>c</td><td>d</td></tr></tbody></table>"""


def test_stack_table_labels_each_cell_with_its_escaped_header():
    html = stack_table(TABLE, title=2)
    assert '<table class="t stack">' in html
    assert '<tr class="overdue"><td data-label="Issue">#1</td>' in html
    assert '<td class="stack-title" data-label="Stage &amp; &quot;step&quot;">a</td>' in html
    assert '<td data-label="Stage &amp; &quot;step&quot;" class="x">b</td>' in html
    assert '<td data-label="own">c</td>' in html  # a label written in the template stays
    assert '<td colspan="4">Nothing here.</td>' in html  # spans every column: no label
    assert (
        '<td data-label="Issue" colspan="2">ab</td><td data-label="Stage &amp; &quot;step&quot;">c</td>'
        in html
    )
    assert '<td data-label="Due">d</td>' in html
    assert '<thead><tr><th>Issue</th><th colspan="2">Stage &amp; "step" ▲</th>' in html  # header unchanged


def test_stack_table_without_a_header_is_unchanged():
    plain = "<table><tbody><tr><td>x</td></tr></tbody></table>"
    assert stack_table(plain) == plain
