from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'layouts/base.mjml.j2'

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_lang = resolve('lang')
    l_0_dir = resolve('dir')
    l_0_subject = resolve('subject')
    l_0_preheader = resolve('preheader')
    l_0_fonts = resolve('fonts')
    l_0_colors = resolve('colors')
    l_0_body_markup = resolve('body_markup')
    l_0_stacked_scripts = resolve('stacked_scripts')
    l_0_scripts = resolve('scripts')
    l_0_brand = resolve('brand')
    l_0_ui = missing
    try:
        t_1 = environment.filters['css']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'css' found.")
    pass
    l_0_ui = context.vars['ui'] = environment.get_template('partials/components.mjml.j2', 'layouts/base.mjml.j2').make_module(context.get_all(), True, {'ui': l_0_ui})
    context.exported_vars.discard('ui')
    yield '<mjml lang="'
    yield environment.mailkit_print((undefined(name='lang') if l_0_lang is missing else l_0_lang))
    yield '" dir="'
    yield environment.mailkit_print((undefined(name='dir') if l_0_dir is missing else l_0_dir))
    yield '">\n  <mj-head>\n    <mj-title>'
    yield environment.mailkit_print((undefined(name='subject') if l_0_subject is missing else l_0_subject))
    yield '</mj-title>\n    <mj-preview>'
    yield environment.mailkit_print((undefined(name='preheader') if l_0_preheader is missing else l_0_preheader))
    yield environment.mailkit_print(environment.call(context, environment.getattr((undefined(name='ui') if l_0_ui is missing else l_0_ui), 'preview_padding'), (undefined(name='preheader') if l_0_preheader is missing else l_0_preheader)))
    yield '</mj-preview>\n    <mj-breakpoint width="480px" />\n    <mj-attributes>\n      <mj-all font-family="'
    yield environment.mailkit_print(environment.getattr((undefined(name='fonts') if l_0_fonts is missing else l_0_fonts), 'body'))
    yield '" />\n      <mj-section padding="0" background-color="'
    yield environment.mailkit_print(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'background'))
    yield '" css-class="mk-card" direction="'
    yield environment.mailkit_print((undefined(name='dir') if l_0_dir is missing else l_0_dir))
    yield '" />\n      <mj-group direction="'
    yield environment.mailkit_print((undefined(name='dir') if l_0_dir is missing else l_0_dir))
    yield '" />\n      <mj-column padding="0" direction="'
    yield environment.mailkit_print((undefined(name='dir') if l_0_dir is missing else l_0_dir))
    yield '" />\n      <mj-text font-size="17px" line-height="1.55" color="'
    yield environment.mailkit_print(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'text'))
    yield '" padding="0 24px" align="'
    yield environment.mailkit_print(('right' if ((undefined(name='dir') if l_0_dir is missing else l_0_dir) == 'rtl') else 'left'))
    yield '" />\n      <mj-image padding="0 24px" fluid-on-mobile="true" font-size="14px" />\n      <mj-button background-color="'
    yield environment.mailkit_print(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'button'))
    yield '" color="'
    yield environment.mailkit_print(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'on_button'))
    yield '" font-size="17px" font-weight="bold" inner-padding="14px 28px" border-radius="4px" padding="8px 24px 24px" align="'
    yield environment.mailkit_print(('right' if ((undefined(name='dir') if l_0_dir is missing else l_0_dir) == 'rtl') else 'left'))
    yield '" css-class="mk-button" />\n      <mj-divider border-width="1px" border-color="'
    yield environment.mailkit_print(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'rule'))
    yield '" padding="0 24px" />\n    </mj-attributes>\n    <mj-raw>\n      <meta name="color-scheme" content="light dark" />\n      <meta name="supported-color-schemes" content="light dark" />\n    </mj-raw>\n    <mj-style>\n      :root { color-scheme: light dark; supported-color-schemes: light dark; }\n      td.mk-text a { color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'link')))
    yield '; text-decoration: underline; }\n      td.mk-text p { margin: 0 0 16px; }\n      td.mk-text h1 { font-family: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='fonts') if l_0_fonts is missing else l_0_fonts), 'headline')))
    yield '; font-size: 30px; line-height: 1.2; font-weight: bold; margin: 0 0 12px; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'text')))
    yield '; }\n      td.mk-text h2 { font-family: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='fonts') if l_0_fonts is missing else l_0_fonts), 'headline')))
    yield '; font-size: 23px; line-height: 1.25; font-weight: bold; margin: 28px 0 10px; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'text')))
    yield '; }\n      td.mk-text h3 { font-family: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='fonts') if l_0_fonts is missing else l_0_fonts), 'headline')))
    yield '; font-size: 20px; line-height: 1.3; font-weight: bold; margin: 0 0 6px; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'text')))
    yield '; }\n      td.mk-text h3 a { color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'text')))
    yield '; text-decoration: none; }\n      td.mk-text h4 { font-size: 17px; margin: 20px 0 8px; }\n      td.mk-text blockquote { margin: 0 0 16px; padding: 0 0 0 16px; border-left: 3px solid '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'rule')))
    yield '; }\n      td.mk-text blockquote.pullquote { font-family: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='fonts') if l_0_fonts is missing else l_0_fonts), 'headline')))
    yield '; font-size: 23px; line-height: 1.35; border-left: 4px solid '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'accent')))
    yield '; padding: 4px 0 4px 20px; margin: 24px 0; }\n      td.mk-text ul, td.mk-text ol { margin: 0 0 16px; padding: 0 0 0 24px; }\n      td.mk-text li { margin: 0 0 8px; }\n      td.mk-text figure { margin: 8px 0 20px; }\n      td.mk-text img { width: 100%; height: auto; display: block; }\n      td.mk-img img, td.mk-text img { background-color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'rule')))
    yield '; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'muted')))
    yield '; font-family: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='fonts') if l_0_fonts is missing else l_0_fonts), 'body')))
    yield '; font-size: 14px; line-height: 1.4; }\n'
    if ('table' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup)):
        pass
        yield '      td.mk-text table.mk-table { width: 100%; border-collapse: collapse; margin: 4px 0 20px; font-size: 15px; line-height: 1.4; }\n      td.mk-text table.mk-table caption { text-align: '
        yield environment.mailkit_print(t_1(('right' if ((undefined(name='dir') if l_0_dir is missing else l_0_dir) == 'rtl') else 'left')))
        yield '; font-size: 14px; line-height: 1.4; font-weight: bold; padding: 0 0 8px; }\n      td.mk-text table.mk-table th { text-align: '
        yield environment.mailkit_print(t_1(('right' if ((undefined(name='dir') if l_0_dir is missing else l_0_dir) == 'rtl') else 'left')))
        yield '; vertical-align: bottom; font-weight: bold; padding: 6px 8px; border-bottom: 2px solid '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'text')))
        yield '; }\n      td.mk-text table.mk-table td { text-align: '
        yield environment.mailkit_print(t_1(('right' if ((undefined(name='dir') if l_0_dir is missing else l_0_dir) == 'rtl') else 'left')))
        yield '; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'rule')))
        yield '; word-break: break-word; overflow-wrap: anywhere; }\n      td.mk-text table.mk-table tbody th { vertical-align: top; border-bottom: 1px solid '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'rule')))
        yield '; }\n      td.mk-text table.mk-table tfoot td, td.mk-text table.mk-table tfoot th { font-weight: bold; border-top: 2px solid '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'text')))
        yield '; border-bottom: 0; }\n      td.mk-text table.mk-table th.mk-num, td.mk-text table.mk-table td.mk-num { text-align: '
        yield environment.mailkit_print(t_1(('left' if ((undefined(name='dir') if l_0_dir is missing else l_0_dir) == 'rtl') else 'right')))
        yield '; white-space: nowrap; font-variant-numeric: tabular-nums; }\n'
        if ('mk-table-stacked' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup)):
            pass
            yield '      @media screen {\n      td.mk-text table.mk-table-stacked, td.mk-text table.mk-table-stacked tbody, td.mk-text table.mk-table-stacked tfoot, td.mk-text table.mk-table-stacked tr, td.mk-text table.mk-table-stacked td, td.mk-text table.mk-table-stacked th { display: block !important; width: auto !important; text-align: '
            yield environment.mailkit_print(t_1(('right' if ((undefined(name='dir') if l_0_dir is missing else l_0_dir) == 'rtl') else 'left')))
            yield ' !important; }\n      td.mk-text table.mk-table-stacked caption { display: block !important; }\n      td.mk-text table.mk-table-stacked thead { display: none !important; }\n      td.mk-text table.mk-table-stacked tr { border-bottom: 1px solid '
            yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'rule')))
            yield ' !important; padding: 6px 0 !important; }\n      td.mk-text table.mk-table-stacked td { border: 0 !important; padding: 2px 0 !important; white-space: normal !important; }\n      td.mk-text table.mk-table-stacked td[data-label]::before { content: attr(data-label) ": "; font-weight: bold; }\n      }\n'
        yield '      td.mk-text table.mk-layout { width: 100%; border-collapse: collapse; }\n'
    if (((('pre' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup)) or ('code' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup))) or ('kbd' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup))) or ('samp' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup))):
        pass
        yield "      td.mk-text pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', 'Courier New', monospace; font-size: 14px; line-height: 1.5; color: "
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'text')))
        yield '; background-color: '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'page')))
        yield '; border-left: 3px solid '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'rule')))
        yield "; padding: 12px 14px; margin: 0 0 16px; white-space: pre-wrap; word-break: break-word; overflow-wrap: anywhere; }\n      td.mk-text code, td.mk-text kbd, td.mk-text samp { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', 'Courier New', monospace; font-size: 15px; }\n      td.mk-text pre code { font-size: 14px; }\n"
    if (((((('hr' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup)) or ('dl' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup))) or ('cite' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup))) or ('sup' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup))) or ('sub' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup))) or ('abbr' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup))):
        pass
        yield '      td.mk-text hr { border: 0; border-top: 1px solid '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'rule')))
        yield '; margin: 24px 0; }\n      td.mk-text dl { margin: 0 0 16px; }\n      td.mk-text dt { font-weight: bold; margin: 12px 0 2px; }\n      td.mk-text dd { margin: 0 0 8px 24px; }\n      td.mk-text blockquote cite { display: block; font-style: normal; font-size: 14px; color: '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'muted')))
        yield '; margin: 8px 0 0; }\n      td.mk-text sup, td.mk-text sub { font-size: 12px; line-height: 0; }\n      td.mk-text abbr { text-decoration: none; }\n'
    if ('mk-embed' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup)):
        pass
        yield '      td.mk-text div.mk-embed { border: 1px solid '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'rule')))
        yield '; padding: 12px; margin: 0 0 20px; }\n      td.mk-text div.mk-embed img { margin: 0 0 10px; }\n      td.mk-text p.mk-embed-title { margin: 0 0 4px; }\n      td.mk-text p.mk-embed-link { font-size: 15px; margin: 0; }\n'
    yield '      td.mk-text figcaption { font-size: 14px; line-height: 1.4; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'muted')))
    yield '; margin: 8px 0 0; }\n      td.mk-text p.mk-kicker { font-size: 14px; line-height: 1.3; font-weight: bold; letter-spacing: 1px; text-transform: uppercase; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'accent')))
    yield '; margin: 0 0 8px; }\n      td.mk-text p.mk-dek { font-size: 19px; line-height: 1.45; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'text')))
    yield '; margin: 0 0 16px; }\n      td.mk-text p.mk-meta { font-size: 14px; line-height: 1.5; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'muted')))
    yield '; margin: 0; }\n      td.mk-text p.mk-caption { font-size: 14px; line-height: 1.45; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'muted')))
    yield '; margin: 0; }\n      td.mk-text .mk-credit { font-size: 14px; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'muted')))
    yield '; }\n      td.mk-text p.mk-endnote { font-style: italic; font-size: 16px; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'text')))
    yield '; margin: 0 0 12px; }\n      td.mk-text p.mk-footer-text { font-size: 14px; line-height: 1.6; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'muted')))
    yield '; margin: 0 0 12px; }\n      td.mk-text h2.mk-section-title { font-family: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='fonts') if l_0_fonts is missing else l_0_fonts), 'body')))
    yield '; font-size: 14px; line-height: 1.3; letter-spacing: 1.5px; text-transform: uppercase; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'accent')))
    yield '; margin: 0 0 12px; }\n      td.mk-text .mk-footer-text a { color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'muted')))
    yield '; text-decoration: underline; }\n'
    if (undefined(name='stacked_scripts') if l_0_stacked_scripts is missing else l_0_stacked_scripts):
        pass
        yield '      td.mk-text h1, td.mk-text h2, td.mk-text h3, td.mk-text p.mk-kicker, td.mk-text p.mk-dek, td.mk-text h2.mk-section-title, td.mk-text blockquote.pullquote { line-height: 1.7; }\n'
    if ('Kore' in (undefined(name='scripts') if l_0_scripts is missing else l_0_scripts)):
        pass
        yield '      td.mk-text h1:lang(ko), td.mk-text h2:lang(ko), td.mk-text h3:lang(ko), td.mk-text p:lang(ko), td.mk-text li:lang(ko), td.mk-text blockquote:lang(ko) { word-break: keep-all; }\n'
    if (environment.getattr((undefined(name='brand') if l_0_brand is missing else l_0_brand), 'logo') and environment.getattr(environment.getattr((undefined(name='brand') if l_0_brand is missing else l_0_brand), 'logo'), 'dark_src')):
        pass
        yield '      td.mk-logo-dark { display: none; mso-hide: all; }\n'
    if ((undefined(name='dir') if l_0_dir is missing else l_0_dir) == 'rtl'):
        pass
        yield '      td.mk-text blockquote { border-left: 0; border-right: 3px solid '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'rule')))
        yield '; padding: 0 16px 0 0; }\n      td.mk-text ul, td.mk-text ol { padding: 0 24px 0 0; }\n'
    yield '    </mj-style>\n    <mj-style>\n      @media only screen and (max-width: 479px) {\n        .mk-text h1 { font-size: 26px !important; }\n        .mk-hide-phone { display: none !important; }\n        .mk-img .mj-full-width-mobile img { height: auto !important; }\n'
    if ('table' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup)):
        pass
        yield '        table.mk-table th, table.mk-table td { padding: 6px 4px !important; }\n'
    if ('mk-table-wide' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup)):
        pass
        yield '        table.mk-table-wide, table.mk-table-wide tbody, table.mk-table-wide tfoot, table.mk-table-wide tr, table.mk-table-wide td, table.mk-table-wide th { display: block !important; width: auto !important; text-align: left !important; }\n        table.mk-table-wide caption { display: block !important; }\n        table.mk-table-wide thead { display: none !important; }\n        table.mk-table-wide tr { border-bottom: 1px solid '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'rule')))
        yield ' !important; padding: 6px 0 !important; }\n        table.mk-table-wide td { border: 0 !important; padding: 2px 0 !important; white-space: normal !important; }\n        table.mk-table-wide td[data-label]::before { content: attr(data-label) ": "; font-weight: bold; }\n'
    yield '      }\n      @media (prefers-color-scheme: dark) {\n        body, .mk-page, .mk-page-footer, .mk-page-footer > table, .mk-page-footer > table > tbody > tr > td { background: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_page')))
    yield ' !important; background-color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_page')))
    yield ' !important; }\n        .mk-card, .mk-card > table, .mk-card > table > tbody > tr > td { background: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_background')))
    yield ' !important; background-color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_background')))
    yield ' !important; }\n        .mk-text div, .mk-text p, .mk-text h1, .mk-text h2, .mk-text h3, .mk-text h3 a, .mk-text li, .mk-text blockquote, .mk-dek, .mk-endnote { color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_text')))
    yield ' !important; }\n'
    if ('table' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup)):
        pass
        yield '        .mk-text table.mk-table td, .mk-text table.mk-table tbody th { border-color: '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_rule')))
        yield ' !important; }\n        .mk-text table.mk-table thead th, .mk-text table.mk-table tfoot td, .mk-text table.mk-table tfoot th { border-color: '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_text')))
        yield ' !important; }\n'
    if ('pre' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup)):
        pass
        yield '        .mk-text pre { background-color: '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_page')))
        yield ' !important; color: '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_text')))
        yield ' !important; border-color: '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_rule')))
        yield ' !important; }\n'
    if ('cite' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup)):
        pass
        yield '        .mk-text blockquote cite { color: '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_muted')))
        yield ' !important; }\n'
    if ('mk-embed' in (undefined(name='body_markup') if l_0_body_markup is missing else l_0_body_markup)):
        pass
        yield '        .mk-text div.mk-embed { border-color: '
        yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_rule')))
        yield ' !important; }\n'
    yield '        .mk-text p.mk-meta, .mk-text p.mk-caption, .mk-text .mk-credit, .mk-text p.mk-footer-text, .mk-text figcaption { color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_muted')))
    yield ' !important; }\n        .mk-text p.mk-kicker, .mk-text h2.mk-section-title { color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_accent')))
    yield ' !important; }\n        .mk-text a, .mk-footer-text a { color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_link')))
    yield ' !important; }\n        .mk-text h1 a, .mk-text h3 a { color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_text')))
    yield ' !important; }\n        .mk-button td, .mk-button a { background: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_text')))
    yield ' !important; background-color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_text')))
    yield ' !important; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_background')))
    yield ' !important; }\n        .mk-divider p { border-top-color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_rule')))
    yield ' !important; }\n        .mk-img img, .mk-text img { background-color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_rule')))
    yield ' !important; color: '
    yield environment.mailkit_print(t_1(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'dark_muted')))
    yield ' !important; }\n'
    if (environment.getattr((undefined(name='brand') if l_0_brand is missing else l_0_brand), 'logo') and environment.getattr(environment.getattr((undefined(name='brand') if l_0_brand is missing else l_0_brand), 'logo'), 'dark_src')):
        pass
        yield '        td.mk-logo { display: none !important; }\n        td.mk-logo-dark { display: table-cell !important; }\n'
    yield '      }\n    </mj-style>\n  '
    yield from context.blocks['head'][0](context)
    yield '</mj-head>\n  <mj-body width="600px" background-color="'
    yield environment.mailkit_print(environment.getattr((undefined(name='colors') if l_0_colors is missing else l_0_colors), 'page'))
    yield '" css-class="mk-page">\n    <mj-wrapper padding="16px 0 0" css-class="mk-page-top"></mj-wrapper>\n'
    yield from context.blocks['header'][0](context)
    yield from context.blocks['band'][0](context)
    yield from context.blocks['content'][0](context)
    yield from context.blocks['footer'][0](context)
    yield '  </mj-body>\n</mjml>\n'

def block_head(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

def block_header(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_ui = resolve('ui')
    pass
    yield environment.mailkit_print(environment.call(context, environment.getattr((undefined(name='ui') if l_0_ui is missing else l_0_ui), 'page_header'), _block_vars=_block_vars))

def block_band(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

def block_content(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

def block_footer(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_ui = resolve('ui')
    pass
    yield environment.mailkit_print(environment.call(context, environment.getattr((undefined(name='ui') if l_0_ui is missing else l_0_ui), 'page_footer'), _block_vars=_block_vars))

blocks = {'head': block_head, 'header': block_header, 'band': block_band, 'content': block_content, 'footer': block_footer}
debug_info = '3=28&4=31&6=35&8=37&11=40&12=42&13=46&14=48&15=50&17=54&18=60&29=62&31=64&32=68&33=72&34=76&36=78&37=80&49=84&56=90&58=93&59=95&60=99&61=103&62=105&63=107&64=109&69=112&72=114&81=117&82=120&86=126&87=129&91=131&95=133&96=136&101=139&102=141&103=143&104=145&105=147&106=149&107=151&108=153&109=155&110=159&111=161&116=164&121=167&124=170&125=173&137=176&141=179&148=182&154=185&155=189&156=193&157=195&158=198&159=200&161=202&162=205&164=211&165=214&167=216&168=219&170=222&171=224&172=226&173=228&174=230&175=236&176=238&177=242&186=246&187=248&189=250&190=251&191=252&192=253&186=256&189=265&190=276&191=285&192=294'

# Generated by Jinja from templates/layouts/base.mjml.j2 (mailkit._precompiled): do not edit.
