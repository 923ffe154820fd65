from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'digest.mjml.j2'

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    l_0_ui = missing
    pass
    parent_template = environment.get_template('layouts/base.mjml.j2', 'digest.mjml.j2')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    l_0_ui = context.vars['ui'] = environment.get_template('partials/components.mjml.j2', 'digest.mjml.j2').make_module(context.get_all(), True, {'ui': l_0_ui})
    context.exported_vars.discard('ui')
    yield from parent_template.root_render_func(context)

def block_header(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_ui = resolve('ui')
    l_0_articles = resolve('articles')
    l_0_sections = resolve('sections')
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.filters['map']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'map' found.")
    try:
        t_3 = environment.filters['sum']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'sum' found.")
    pass
    yield environment.mailkit_print(environment.call(context, environment.getattr((undefined(name='ui') if l_0_ui is missing else l_0_ui), 'page_header'), show_date=True, stories=environment.call_binop(context, '+', t_1((undefined(name='articles') if l_0_articles is missing else l_0_articles)), t_3(environment, t_2(context, t_2(context, (undefined(name='sections') if l_0_sections is missing else l_0_sections), attribute='articles'), 'length'))), _block_vars=_block_vars))

def block_content(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_editor_note = resolve('editor_note')
    l_0_voice = resolve('voice')
    l_0_article = resolve('article')
    l_0_leaves_out = resolve('leaves_out')
    l_0_ui = resolve('ui')
    l_0_labels_in = resolve('labels_in')
    l_0_articles = resolve('articles')
    l_0_sections = resolve('sections')
    l_0_more_stories = resolve('more_stories')
    l_0__ = resolve('_')
    l_0_namespace = resolve('namespace')
    l_0_ns = resolve('ns')
    l_0_v = l_0_kicker = l_0_noted = missing
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    if (undefined(name='editor_note') if l_0_editor_note is missing else l_0_editor_note):
        pass
        yield '<mj-section padding="20px 0 4px">\n  <mj-column>\n    <mj-text css-class="mk-text">\n'
        for l_1_para in environment.call(context, environment.getattr((undefined(name='editor_note') if l_0_editor_note is missing else l_0_editor_note), 'split'), '\n\n', _block_vars=_block_vars):
            _loop_vars = {}
            pass
            environment.mailkit_tick()
            yield '<p style="font-size:17px;">'
            yield environment.mailkit_print(l_1_para)
            yield '</p>'
        l_1_para = missing
        yield '    </mj-text>\n  </mj-column>\n</mj-section>\n'
    l_0_v = environment.call(context, (undefined(name='voice') if l_0_voice is missing else l_0_voice), (undefined(name='article') if l_0_article is missing else l_0_article), _block_vars=_block_vars)
    _block_vars['v'] = l_0_v
    l_0_kicker = (environment.getattr((undefined(name='article') if l_0_article is missing else l_0_article), 'kicker') or environment.getattr((undefined(name='article') if l_0_article is missing else l_0_article), 'section'))
    _block_vars['kicker'] = l_0_kicker
    l_0_noted = environment.call(context, (undefined(name='leaves_out') if l_0_leaves_out is missing else l_0_leaves_out), (undefined(name='article') if l_0_article is missing else l_0_article), 'body related contributors', 'a digest links to the full story', _block_vars=_block_vars)
    _block_vars['noted'] = l_0_noted
    yield '<mj-section padding="20px 0 0">\n  <mj-column>\n    '
    yield environment.mailkit_print(environment.call(context, environment.getattr((undefined(name='ui') if l_0_ui is missing else l_0_ui), 'image'), environment.getattr((undefined(name='article') if l_0_article is missing else l_0_article), 'image'), v=(undefined(name='v') if l_0_v is missing else l_0_v), _block_vars=_block_vars))
    yield '\n    <mj-text css-class="mk-text" padding="'
    yield environment.mailkit_print(('4px 24px 0' if environment.getattr((undefined(name='article') if l_0_article is missing else l_0_article), 'image') else '0 24px'))
    yield '" align="'
    yield environment.mailkit_print(environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'align'))
    yield '">'
    def macro():
        t_4 = []
        pass
        environment.mailkit_tick()
        if (undefined(name='kicker') if l_0_kicker is missing else l_0_kicker):
            pass
            t_4.extend((
                '<p class="mk-kicker">',
                environment.mailkit_print((undefined(name='kicker') if l_0_kicker is missing else l_0_kicker)),
                '</p>',
            ))
        t_4.extend((
            '      <h1><a href="',
            environment.mailkit_print(environment.getattr((undefined(name='article') if l_0_article is missing else l_0_article), 'url')),
            '" style="color:inherit;text-decoration:none;">',
            environment.mailkit_print(environment.getattr((undefined(name='article') if l_0_article is missing else l_0_article), 'headline')),
            '</a></h1>\n',
        ))
        if environment.getattr((undefined(name='article') if l_0_article is missing else l_0_article), 'dek'):
            pass
            t_4.extend((
                '<p class="mk-dek">',
                environment.mailkit_print(environment.getattr((undefined(name='article') if l_0_article is missing else l_0_article), 'dek')),
                '</p>',
            ))
        if environment.getattr((undefined(name='article') if l_0_article is missing else l_0_article), 'summary'):
            pass
            t_4.extend((
                '<p>',
                environment.mailkit_print(environment.getattr((undefined(name='article') if l_0_article is missing else l_0_article), 'summary')),
                '</p>',
            ))
        t_4.extend((
            '      ',
            environment.mailkit_print(environment.call(context, environment.getattr((undefined(name='ui') if l_0_ui is missing else l_0_ui), 'short_byline'), (undefined(name='article') if l_0_article is missing else l_0_article), (undefined(name='v') if l_0_v is missing else l_0_v))),
            '\n',
        ))
        return concat(t_4)
    caller = Macro(environment, macro, None, (), False, False, False, context.eval_ctx.autoescape)
    yield environment.call(context, environment.getattr((undefined(name='ui') if l_0_ui is missing else l_0_ui), 'in_voice'), (undefined(name='v') if l_0_v is missing else l_0_v), caller=caller, _block_vars=_block_vars)
    yield '</mj-text>\n'
    l_1_gettext = environment.getattr(environment.call(context, (undefined(name='labels_in') if l_0_labels_in is missing else l_0_labels_in), environment.getattr((undefined(name='v') if l_0_v is missing else l_0_v), 'lang'), _block_vars=_block_vars), 'gettext')
    pass
    yield environment.mailkit_print(environment.call(context, environment.getattr((undefined(name='ui') if l_0_ui is missing else l_0_ui), 'button'), environment.getattr((undefined(name='article') if l_0_article is missing else l_0_article), 'url'), environment.call(context, l_1_gettext, 'Read the full story'), (undefined(name='v') if l_0_v is missing else l_0_v)))
    l_1_gettext = missing
    yield '  </mj-column>\n</mj-section>\n'
    for l_1_extra in (undefined(name='articles') if l_0_articles is missing else l_0_articles)[1:]:
        _loop_vars = {}
        pass
        environment.mailkit_tick()
        yield '<mj-section padding="0 0 8px">\n  <mj-column>\n    <mj-text css-class="mk-text" align="'
        yield environment.mailkit_print(environment.getattr(environment.call(context, (undefined(name='voice') if l_0_voice is missing else l_0_voice), l_1_extra, _loop_vars=_loop_vars), 'align'))
        yield '">'
        yield environment.mailkit_print(environment.call(context, environment.getattr((undefined(name='ui') if l_0_ui is missing else l_0_ui), 'story_entry'), l_1_extra, 'list of further stories', _loop_vars=_loop_vars))
        yield '</mj-text>\n  </mj-column>\n</mj-section>\n'
    l_1_extra = missing
    for l_1_section in (undefined(name='sections') if l_0_sections is missing else l_0_sections):
        l_1_pair = missing
        _loop_vars = {}
        pass
        environment.mailkit_tick()
        yield '<mj-section padding="4px 0 12px">\n  <mj-column>\n    <mj-divider css-class="mk-divider" padding="0 24px 20px" />\n    <mj-text css-class="mk-text"><div data-text="rule"></div><h2 class="mk-section-title">'
        yield environment.mailkit_print(environment.getattr(l_1_section, 'title'))
        yield '</h2></mj-text>\n  </mj-column>\n</mj-section>\n'
        l_1_pair = environment.getattr(l_1_section, 'articles')[:2]
        _loop_vars['pair'] = l_1_pair
        yield '<mj-section padding="0 12px">\n'
        for l_2_story in (undefined(name='pair') if l_1_pair is missing else l_1_pair):
            _loop_vars = {}
            pass
            environment.mailkit_tick()
            yield environment.mailkit_print(environment.call(context, environment.getattr((undefined(name='ui') if l_0_ui is missing else l_0_ui), 'story_card'), l_2_story, heading=environment.getattr(l_1_section, 'title'), _loop_vars=_loop_vars))
        l_2_story = missing
        if (t_1((undefined(name='pair') if l_1_pair is missing else l_1_pair)) == 1):
            pass
            yield '<mj-column><mj-spacer height="1px" /></mj-column>'
        yield '</mj-section>\n'
        if (t_1(environment.getattr(l_1_section, 'articles')) > 2):
            pass
            yield '<mj-section padding="0 0 8px">\n  <mj-column>\n    <mj-text css-class="mk-text">\n'
            for l_2_story in environment.getattr(l_1_section, 'articles')[2:]:
                _loop_vars = {}
                pass
                environment.mailkit_tick()
                yield '      '
                yield environment.mailkit_print(environment.call(context, environment.getattr((undefined(name='ui') if l_0_ui is missing else l_0_ui), 'story_entry'), l_2_story, 'compact list', heading=environment.getattr(l_1_section, 'title'), _loop_vars=_loop_vars))
                yield '\n'
            l_2_story = missing
            yield '    </mj-text>\n  </mj-column>\n</mj-section>\n'
    l_1_section = l_1_pair = missing
    if (undefined(name='more_stories') if l_0_more_stories is missing else l_0_more_stories):
        pass
        yield '<mj-section padding="4px 0 16px">\n  <mj-column>\n    <mj-divider css-class="mk-divider" padding="0 24px 20px" />\n    <mj-text css-class="mk-text">\n      <div data-text="rule"></div>\n      <h2 class="mk-section-title">'
        yield environment.mailkit_print(environment.call(context, (undefined(name='_') if l_0__ is missing else l_0__), 'More stories', _block_vars=_block_vars))
        yield '</h2>\n'
        l_0_ns = environment.call(context, (undefined(name='namespace') if l_0_namespace is missing else l_0_namespace), mixed=False, _block_vars=_block_vars)
        _block_vars['ns'] = l_0_ns
        def t_5(fiter):
            for l_1_link in fiter:
                if environment.getattr(environment.call(context, (undefined(name='voice') if l_0_voice is missing else l_0_voice), l_1_link), 'attrs'):
                    yield l_1_link
        for l_1_link in t_5((undefined(name='more_stories') if l_0_more_stories is missing else l_0_more_stories)):
            _loop_vars = {}
            pass
            environment.mailkit_tick()
            if not isinstance(l_0_ns, Namespace):
                raise TemplateRuntimeError("cannot assign attribute on non-namespace object")
            l_0_ns['mixed'] = True
        l_1_link = missing
        yield '      <ul'
        if environment.getattr((undefined(name='ns') if l_0_ns is missing else l_0_ns), 'mixed'):
            pass
            yield ' style="padding:0 24px;"'
        yield '>\n'
        for l_1_link in (undefined(name='more_stories') if l_0_more_stories is missing else l_0_more_stories):
            _loop_vars = {}
            pass
            environment.mailkit_tick()
            yield '<li'
            yield environment.mailkit_print(environment.getattr(environment.call(context, (undefined(name='voice') if l_0_voice is missing else l_0_voice), l_1_link, _loop_vars=_loop_vars), 'attrs'))
            yield '><a href="'
            yield environment.mailkit_print(environment.getattr(l_1_link, 'url'))
            yield '">'
            yield environment.mailkit_print(environment.getattr(l_1_link, 'title'))
            yield '</a>'
            if environment.getattr(l_1_link, 'source'):
                pass
                yield ' <span class="mk-meta">('
                yield environment.mailkit_print(environment.getattr(l_1_link, 'source'))
                yield ')</span>'
            yield '</li>'
        l_1_link = missing
        yield '      </ul>\n    </mj-text>\n  </mj-column>\n</mj-section>\n'

blocks = {'header': block_header, 'content': block_content}
debug_info = '2=13&3=16&4=20&5=51&6=78&10=81&15=90&16=92&17=94&20=97&21=99&22=107&23=116&24=121&25=128&26=137&21=142&28=146&31=149&34=154&38=159&42=165&47=167&49=170&50=176&52=180&56=183&57=188&64=193&70=196&72=198&73=200&74=213&75=217'

# Generated by Jinja from templates/digest.mjml.j2 (mailkit._precompiled): do not edit.
