"""Generated from templates/ by tests/test_precompiled.py (--force-regen): do not edit.

See mailkit._precompiled.
"""

JINJA2 = '3.1.6'
SETTINGS = "('daea002af6426a604a960c2b1254c01bed91e3a78b8e9089a18b583d1581fca0', '_BoundedCodeGenerator', True, False, True, True, True, '\\n', '{%', '%}', '{{', '}}', '{#', '#}', None, None, ['jinja2.ext.InternationalizationExtension', 'mailkit._stylesheet.StyleContext'], True)"
# template -> (SHA-256 of its text, the context names its code looks up, the templates it refers to)
TEMPLATES = {
    'breaking.mjml.j2': ('28097c2e9f60af0f476bbe634193f34a9200dfacfc7c37014985ebdbb25807c6', ('article', 'ui'), ('layouts/base.mjml.j2', 'partials/components.mjml.j2')),
    'digest.mjml.j2': ('89672da474adea0efdea2f8833e6f923ea504534d54994236f4a20da87fdf534', ('article', 'articles', 'editor_note', 'labels_in', 'leaves_out', 'more_stories', 'ns', 'sections', 'ui', 'voice'), ('layouts/base.mjml.j2', 'partials/components.mjml.j2')),
    'layouts/base.mjml.j2': ('9937e4fb01fd24137411c3fbeb578e649ccc93dc5829e487e54d053421d53aac', ('body_markup', 'brand', 'colors', 'dir', 'fonts', 'lang', 'preheader', 'scripts', 'stacked_scripts', 'subject', 'ui'), ('partials/components.mjml.j2',)),
    'partials/components.mjml.j2': ('25d49ffdfd827fee2a091f22c0dd7b90f3cca1dbf76caaf9a5dbdfee5aa58d1d', ('_trans', 'about_html', 'body', 'box', 'brand', 'colors', 'date', 'dir', 'fonts', 'footer', 'gettext', 'image_box', 'labels_in', 'lang', 'leaves_out', 'name', 'name_html', 'newsletter', 'ngettext', 'place', 'preferences_url', 'site_html', 'tz', 'unsubscribe_url', 'voice'), ()),
    'special-report.mjml.j2': ('e1e12325a02570cd5f0a08ec587b6af9a69f682e8594b88baedeb2ae2472f099', ('article', 'ui'), ('layouts/base.mjml.j2', 'partials/components.mjml.j2')),
}
