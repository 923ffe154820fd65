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
    l_0_scripts = resolve('scripts')
    l_0_brand = resolve('brand')
    l_0_ui = missing
    try:
        t_1 = environment.filters['css']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'css' found.")
    try:
        t_2 = environment.filters['list']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'list' found.")
    try:
        t_3 = environment.filters['select']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'select' found.")
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
    if t_2(context.eval_ctx, t_3(context, (undefined(name='scripts') if l_0_scripts is missing else l_0_scripts), 'in', ['Thai', 'Laoo', 'Khmr', 'Mymr', 'Tibt', 'Lana'])):
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
debug_info = '3=39&4=42&6=46&8=48&11=51&12=53&13=57&14=59&15=61&17=65&18=71&29=73&31=75&32=79&33=83&34=87&36=89&37=91&49=95&56=101&58=104&59=106&60=110&61=114&62=116&63=118&64=120&69=123&72=125&81=128&82=131&86=137&87=140&91=142&95=144&96=147&101=150&102=152&103=154&104=156&105=158&106=160&107=162&108=164&109=166&110=170&111=172&116=175&121=178&124=181&125=184&137=187&141=190&148=193&154=196&155=200&156=204&157=206&158=209&159=211&161=213&162=216&164=222&165=225&167=227&168=230&170=233&171=235&172=237&173=239&174=241&175=247&176=249&177=253&186=257&187=259&189=261&190=262&191=263&192=264&186=267&189=276&190=287&191=296&192=305'

# Generated by Jinja from templates/layouts/base.mjml.j2 (mailkit._precompiled): do not edit.
