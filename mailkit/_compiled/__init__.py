"""Generated from templates/ by tests/test_precompiled.py (--force-regen): do not edit.

See mailkit._precompiled.
"""

JINJA2 = '3.1.6'
SETTINGS = "('5a29f246cfb327c194a01d6baa296a814b6964c2978c759a78bdcb5fbca9b02b', '_BoundedCodeGenerator', True, False, True, True, True, '\\n', '{%', '%}', '{{', '}}', '{#', '#}', None, None, ['jinja2.ext.InternationalizationExtension', 'mailkit._stylesheet.StyleContext'], True)"
# template -> (SHA-256 of its text, the context names its code looks up, the templates it refers to)
TEMPLATES = {
    'breaking.mjml.j2': ('28097c2e9f60af0f476bbe634193f34a9200dfacfc7c37014985ebdbb25807c6', ('article', 'ui'), ('layouts/base.mjml.j2', 'partials/components.mjml.j2')),
    'digest.mjml.j2': ('89672da474adea0efdea2f8833e6f923ea504534d54994236f4a20da87fdf534', ('article', 'articles', 'editor_note', 'labels_in', 'leaves_out', 'more_stories', 'ns', 'sections', 'ui', 'voice'), ('layouts/base.mjml.j2', 'partials/components.mjml.j2')),
    'layouts/base.mjml.j2': ('5e153f49901cb53e34e7a8450755aa99b066abd23c4b03a112d496cc35fafc84', ('body_markup', 'brand', 'colors', 'dir', 'fonts', 'lang', 'preheader', 'scripts', 'subject', 'ui'), ('partials/components.mjml.j2',)),
    'partials/components.mjml.j2': ('25d49ffdfd827fee2a091f22c0dd7b90f3cca1dbf76caaf9a5dbdfee5aa58d1d', ('_trans', 'about_html', 'body', 'box', 'brand', 'colors', 'date', 'dir', 'fonts', 'footer', 'gettext', 'image_box', 'labels_in', 'lang', 'leaves_out', 'name', 'name_html', 'newsletter', 'ngettext', 'place', 'preferences_url', 'site_html', 'tz', 'unsubscribe_url', 'voice'), ()),
    'special-report.mjml.j2': ('e1e12325a02570cd5f0a08ec587b6af9a69f682e8594b88baedeb2ae2472f099', ('article', 'ui'), ('layouts/base.mjml.j2', 'partials/components.mjml.j2')),
}
