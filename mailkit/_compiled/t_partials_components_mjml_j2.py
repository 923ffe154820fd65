from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'partials/components.mjml.j2'

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_t = l_0_in_voice = l_0_preview_padding = l_0_page_header = l_0_band = l_0_image = l_0_caption = l_0_credit_line = l_0_button = l_0_divider = l_0_byline = l_0_names_line = l_0_short_byline = l_0_endnotes = l_0_story = l_0_related = l_0_story_card = l_0_story_entry = l_0_page_footer = missing
    try:
        t_1 = environment.filters['css']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'css' found.")
    try:
        t_2 = environment.filters['date']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'date' found.")
    try:
        t_3 = environment.filters['datetime']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'datetime' found.")
    try:
        t_4 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_5 = environment.filters['list']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'list' found.")
    try:
        t_6 = environment.filters['lower']
    except KeyError:
        @internalcode
        def t_6(*unused):
            raise TemplateRuntimeError("No filter named 'lower' found.")
    try:
        t_7 = environment.filters['map']
    except KeyError:
        @internalcode
        def t_7(*unused):
            raise TemplateRuntimeError("No filter named 'map' found.")
    try:
        t_8 = environment.filters['max']
    except KeyError:
        @internalcode
        def t_8(*unused):
            raise TemplateRuntimeError("No filter named 'max' found.")
    try:
        t_9 = environment.filters['selectattr']
    except KeyError:
        @internalcode
        def t_9(*unused):
            raise TemplateRuntimeError("No filter named 'selectattr' found.")
    pass
    yield '\n'
    def macro(l_1_key, l_1_in_lang):
        t_10 = []
        l_1_labels_in = resolve('labels_in')
        l_1_lang = resolve('lang')
        if l_1_key is missing:
            l_1_key = undefined("parameter 'key' was not provided", name='key')
        if l_1_in_lang is missing:
            l_1_in_lang = None
        pass
        environment.mailkit_tick()
        l_2_whole = missing
        l_2__ = environment.getattr(environment.call(context, (undefined(name='labels_in') if l_1_labels_in is missing else l_1_labels_in), (l_1_in_lang or (undefined(name='lang') if l_1_lang is missing else l_1_lang))), 'gettext')
        pass
        l_2_whole = {'breaking': environment.call(context, l_2__, 'BREAKING NEWS'), 'special_report': environment.call(context, l_2__, 'SPECIAL REPORT'), 'read_full': environment.call(context, l_2__, 'Read the full story'), 'read_web': environment.call(context, l_2__, 'Read it on the web'), 'unsubscribe': environment.call(context, l_2__, 'Unsubscribe'), 'preferences': environment.call(context, l_2__, 'Manage preferences'), 'view_in_browser': environment.call(context, l_2__, 'View in browser'), 'more_stories': environment.call(context, l_2__, 'More stories'), 'related': environment.call(context, l_2__, 'Related coverage')}
        t_10.append(
            environment.mailkit_print(environment.call(context, environment.getattr((undefined(name='whole') if l_2_whole is missing else l_2_whole), 'get'), l_1_key, '')),
        )
        l_2__ = l_2_whole = missing
        return concat(t_10)
    context.exported_vars.add('t')
    context.vars['t'] = l_0_t = Macro(environment, macro, 't', ('key', 'in_lang'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_v, l_1_caller):
        t_11 = []
        if l_1_v is missing:
            l_1_v = undefined("parameter 'v' was not provided", name='v')
        pass
        environment.mailkit_tick()
        if environment.getattr(l_1_v, 'attrs'):
            pass
            t_11.extend((
                '<div',
                environment.mailkit_print(environment.getattr(l_1_v, 'attrs')),
                '>',
                environment.mailkit_print(environment.call(context, l_1_caller)),
                '</div>',
            ))
        else:
            pass
            t_11.append(
                environment.mailkit_print(environment.call(context, l_1_caller)),
            )
        return concat(t_11)
    context.exported_vars.add('in_voice')
    context.vars['in_voice'] = l_0_in_voice = Macro(environment, macro, 'in_voice', ('v',), False, False, True, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_text):
        t_12 = []
        l_1_range = resolve('range')
        if l_1_text is missing:
            l_1_text = undefined("parameter 'text' was not provided", name='text')
        pass
        environment.mailkit_tick()
        for l_2__ in environment.call(context, (undefined(name='range') if l_1_range is missing else l_1_range), t_8(environment, [0, ((150 - t_4(l_1_text)) // 3)])):
            _loop_vars = {}
            pass
            environment.mailkit_tick()
            t_12.append(
                '&#847;&zwnj;&nbsp;',
            )
        l_2__ = missing
        return concat(t_12)
    context.exported_vars.add('preview_padding')
    context.vars['preview_padding'] = l_0_preview_padding = Macro(environment, macro, 'preview_padding', ('text',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_show_date, l_1_stories):
        t_13 = []
        l_1_brand = resolve('brand')
        l_1_newsletter = resolve('newsletter')
        l_1_dir = resolve('dir')
        l_1_fonts = resolve('fonts')
        l_1_colors = resolve('colors')
        l_1_date = resolve('date')
        l_1_ngettext = resolve('ngettext')
        if l_1_show_date is missing:
            l_1_show_date = False
        if l_1_stories is missing:
            l_1_stories = None
        pass
        environment.mailkit_tick()
        t_13.append(
            '<mj-section padding="18px 0 14px" css-class="mk-card">\n  <mj-group>\n    <mj-column width="50%" vertical-align="middle">\n',
        )
        if environment.getattr((undefined(name='brand') if l_1_brand is missing else l_1_brand), 'logo'):
            pass
            t_13.extend((
                '      <mj-image src="',
                environment.mailkit_print(environment.getattr(environment.getattr((undefined(name='brand') if l_1_brand is missing else l_1_brand), 'logo'), 'src')),
                '" alt="',
                environment.mailkit_print(environment.getattr(environment.getattr((undefined(name='brand') if l_1_brand is missing else l_1_brand), 'logo'), 'alt')),
                '" width="',
                environment.mailkit_print(environment.getattr(environment.getattr((undefined(name='brand') if l_1_brand is missing else l_1_brand), 'logo'), 'width')),
                'px" height="',
                environment.mailkit_print(environment.getattr(environment.getattr((undefined(name='brand') if l_1_brand is missing else l_1_brand), 'logo'), 'height')),
                'px" href="',
                environment.mailkit_print(environment.getattr((undefined(name='newsletter') if l_1_newsletter is missing else l_1_newsletter), 'url')),
                '" align="',
                environment.mailkit_print(('right' if ((undefined(name='dir') if l_1_dir is missing else l_1_dir) == 'rtl') else 'left')),
                '" padding="0 24px" fluid-on-mobile="false" css-class="mk-logo" />\n',
            ))
            if environment.getattr(environment.getattr((undefined(name='brand') if l_1_brand is missing else l_1_brand), 'logo'), 'dark_src'):
                pass
                t_13.extend((
                    '      <mj-image src="',
                    environment.mailkit_print(environment.getattr(environment.getattr((undefined(name='brand') if l_1_brand is missing else l_1_brand), 'logo'), 'dark_src')),
                    '" alt="',
                    environment.mailkit_print(environment.getattr(environment.getattr((undefined(name='brand') if l_1_brand is missing else l_1_brand), 'logo'), 'alt')),
                    '" width="',
                    environment.mailkit_print(environment.getattr(environment.getattr((undefined(name='brand') if l_1_brand is missing else l_1_brand), 'logo'), 'width')),
                    'px" height="',
                    environment.mailkit_print(environment.getattr(environment.getattr((undefined(name='brand') if l_1_brand is missing else l_1_brand), 'logo'), 'height')),
                    'px" href="',
                    environment.mailkit_print(environment.getattr((undefined(name='newsletter') if l_1_newsletter is missing else l_1_newsletter), 'url')),
                    '" align="',
                    environment.mailkit_print(('right' if ((undefined(name='dir') if l_1_dir is missing else l_1_dir) == 'rtl') else 'left')),
                    '" padding="0 24px" fluid-on-mobile="false" css-class="mk-logo-dark" />\n',
                ))
        else:
            pass
            t_13.extend((
                '      <mj-text css-class="mk-text" font-family="',
                environment.mailkit_print(environment.getattr((undefined(name='fonts') if l_1_fonts is missing else l_1_fonts), 'headline')),
                '" font-size="22px" line-height="1.2" font-weight="bold">',
                environment.mailkit_print(environment.getattr((undefined(name='brand') if l_1_brand is missing else l_1_brand), 'name')),
                '</mj-text>\n',
            ))
        t_13.extend((
            '    </mj-column>\n    <mj-column width="50%" vertical-align="middle">\n      <mj-text css-class="mk-text" align="',
            environment.mailkit_print(('left' if ((undefined(name='dir') if l_1_dir is missing else l_1_dir) == 'rtl') else 'right')),
            '" font-size="14px" line-height="1.3" color="',
            environment.mailkit_print(environment.getattr((undefined(name='colors') if l_1_colors is missing else l_1_colors), 'muted')),
            '"><p class="mk-meta"><strong>',
            environment.mailkit_print(environment.getattr((undefined(name='newsletter') if l_1_newsletter is missing else l_1_newsletter), 'name')),
            '</strong>',
        ))
        if l_1_show_date:
            pass
            t_13.extend((
                '<br />',
                environment.mailkit_print(t_2(context, (undefined(name='date') if l_1_date is missing else l_1_date), 'long')),
            ))
        if l_1_stories:
            pass
            t_13.append(
                '<br />',
            )
            t_13.append(
                environment.mailkit_print(environment.call(context, (undefined(name='ngettext') if l_1_ngettext is missing else l_1_ngettext), '%(count)s story', '%(count)s stories', l_1_stories, count=l_1_stories)),
            )
        t_13.append(
            '</p></mj-text>\n    </mj-column>\n  </mj-group>\n</mj-section>',
        )
        return concat(t_13)
    context.exported_vars.add('page_header')
    context.vars['page_header'] = l_0_page_header = Macro(environment, macro, 'page_header', ('show_date', 'stories'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_label, l_1_color, l_1_text_color, l_1_uppercase):
        t_14 = []
        l_1_colors = resolve('colors')
        if l_1_label is missing:
            l_1_label = undefined("parameter 'label' was not provided", name='label')
        if l_1_color is missing:
            l_1_color = None
        if l_1_text_color is missing:
            l_1_text_color = None
        if l_1_uppercase is missing:
            l_1_uppercase = True
        pass
        environment.mailkit_tick()
        t_14.extend((
            '<mj-section background-color="',
            environment.mailkit_print(t_1((l_1_color or environment.getattr((undefined(name='colors') if l_1_colors is missing else l_1_colors), 'accent')))),
            '" padding="10px 0" css-class="mk-band">\n  <mj-column>\n    <mj-text color="',
            environment.mailkit_print(t_1((l_1_text_color or environment.getattr((undefined(name='colors') if l_1_colors is missing else l_1_colors), 'on_accent')))),
            '" font-size="15px" font-weight="bold" letter-spacing="2px" line-height="1.3" padding="0 24px"><p style="margin:0;',
        ))
        if l_1_uppercase:
            pass
            t_14.append(
                'text-transform:uppercase;',
            )
        t_14.extend((
            '">',
            environment.mailkit_print(l_1_label),
            '</p></mj-text>\n  </mj-column>\n</mj-section>',
        ))
        return concat(t_14)
    context.exported_vars.add('band')
    context.vars['band'] = l_0_band = Macro(environment, macro, 'band', ('label', 'color', 'text_color', 'uppercase'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_img, l_1_padding, l_1_width, l_1_max_height, l_1_v):
        t_15 = []
        l_1_voice = resolve('voice')
        l_1_image_box = resolve('image_box')
        l_1_box = resolve('box')
        if l_1_img is missing:
            l_1_img = undefined("parameter 'img' was not provided", name='img')
        if l_1_padding is missing:
            l_1_padding = '0 24px'
        if l_1_width is missing:
            l_1_width = 552
        if l_1_max_height is missing:
            l_1_max_height = 552
        if l_1_v is missing:
            l_1_v = None
        pass
        environment.mailkit_tick()
        if l_1_img:
            pass
            l_1_v = (l_1_v or environment.call(context, (undefined(name='voice') if l_1_voice is missing else l_1_voice), None))
            l_1_box = environment.call(context, (undefined(name='image_box') if l_1_image_box is missing else l_1_image_box), l_1_img, l_1_width, l_1_max_height)
            t_15.extend((
                '<mj-image src="',
                environment.mailkit_print(environment.getattr(l_1_img, 'src')),
                '" alt="',
                environment.mailkit_print(environment.getattr(l_1_img, 'alt')),
                '" width="',
                environment.mailkit_print(environment.getattr((undefined(name='box') if l_1_box is missing else l_1_box), 'width')),
                'px"',
            ))
            if environment.getattr((undefined(name='box') if l_1_box is missing else l_1_box), 'height'):
                pass
                t_15.extend((
                    ' height="',
                    environment.mailkit_print(environment.getattr((undefined(name='box') if l_1_box is missing else l_1_box), 'height')),
                    'px"',
                ))
            t_15.extend((
                ' padding="',
                environment.mailkit_print(l_1_padding),
                '" fluid-on-mobile="',
                environment.mailkit_print(t_6(environment.getattr((undefined(name='box') if l_1_box is missing else l_1_box), 'fluid'))),
                '" css-class="mk-img',
                environment.mailkit_print(environment.getattr(l_1_v, 'image_class')),
                '" />\n',
            ))
            if (environment.getattr(l_1_img, 'caption') or environment.getattr(l_1_img, 'credit')):
                pass
                t_15.extend((
                    '<mj-text css-class="mk-text" padding="8px 24px 20px" align="',
                    environment.mailkit_print(environment.getattr(l_1_v, 'align')),
                    '">',
                ))
                def macro():
                    t_16 = []
                    pass
                    environment.mailkit_tick()
                    t_16.append(
                        environment.mailkit_print(environment.call(context, (undefined(name='caption') if l_0_caption is missing else l_0_caption), l_1_img, l_1_v)),
                    )
                    return concat(t_16)
                caller = Macro(environment, macro, None, (), False, False, False, context.eval_ctx.autoescape)
                t_15.append(environment.call(context, (undefined(name='in_voice') if l_0_in_voice is missing else l_0_in_voice), l_1_v, caller=caller))
                t_15.append(
                    '</mj-text>\n',
                )
        return concat(t_15)
    context.exported_vars.add('image')
    context.vars['image'] = l_0_image = Macro(environment, macro, 'image', ('img', 'padding', 'width', 'max_height', 'v'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_img, l_1_v):
        t_17 = []
        l_1_credit = missing
        if l_1_img is missing:
            l_1_img = undefined("parameter 'img' was not provided", name='img')
        if l_1_v is missing:
            l_1_v = undefined("parameter 'v' was not provided", name='v')
        pass
        environment.mailkit_tick()
        l_1_credit = (environment.getattr(l_1_img, 'credit') and environment.getattr(l_1_img, 'caption_credit'))
        t_17.append(
            '<p class="mk-caption">',
        )
        if environment.getattr(l_1_img, 'caption'):
            pass
            t_17.extend((
                '<span dir="auto">',
                environment.mailkit_print(environment.getattr(l_1_img, 'caption')),
                '</span>',
            ))
        if (environment.getattr(l_1_img, 'caption') and (undefined(name='credit') if l_1_credit is missing else l_1_credit)):
            pass
            t_17.append(
                '<br />',
            )
        if (undefined(name='credit') if l_1_credit is missing else l_1_credit):
            pass
            t_17.append(
                environment.mailkit_print(environment.call(context, (undefined(name='credit_line') if l_0_credit_line is missing else l_0_credit_line), (undefined(name='credit') if l_1_credit is missing else l_1_credit), l_1_v)),
            )
        t_17.append(
            '</p>',
        )
        return concat(t_17)
    context.exported_vars.add('caption')
    context.vars['caption'] = l_0_caption = Macro(environment, macro, 'caption', ('img', 'v'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_credit, l_1_v):
        t_18 = []
        l_1_labels_in = resolve('labels_in')
        l_1_who = missing
        if l_1_credit is missing:
            l_1_credit = undefined("parameter 'credit' was not provided", name='credit')
        if l_1_v is missing:
            l_1_v = undefined("parameter 'v' was not provided", name='v')
        pass
        environment.mailkit_tick()
        t_19 = []
        pass
        t_19.extend((
            '<span dir="auto">',
            environment.mailkit_print(l_1_credit),
            '</span>',
        ))
        l_1_who = (Markup if context.eval_ctx.autoescape else identity)(concat(t_19))
        t_18.append(
            '<span class="mk-credit">',
        )
        l_2_gettext = environment.getattr(environment.call(context, (undefined(name='labels_in') if l_1_labels_in is missing else l_1_labels_in), environment.getattr(l_1_v, 'lang')), 'gettext')
        pass
        t_18.append(
            environment.mailkit_print(environment.call(context, l_2_gettext, 'Photo: %(credit)s', credit=(undefined(name='who') if l_1_who is missing else l_1_who))),
        )
        l_2_gettext = missing
        t_18.append(
            '</span>',
        )
        return concat(t_18)
    context.exported_vars.add('credit_line')
    context.vars['credit_line'] = l_0_credit_line = Macro(environment, macro, 'credit_line', ('credit', 'v'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_url, l_1_label, l_1_v):
        t_20 = []
        if l_1_url is missing:
            l_1_url = undefined("parameter 'url' was not provided", name='url')
        if l_1_label is missing:
            l_1_label = undefined("parameter 'label' was not provided", name='label')
        if l_1_v is missing:
            l_1_v = None
        pass
        environment.mailkit_tick()
        t_20.extend((
            '<mj-button href="',
            environment.mailkit_print(l_1_url),
            '"',
        ))
        if l_1_v:
            pass
            t_20.extend((
                ' align="',
                environment.mailkit_print(environment.getattr(l_1_v, 'align')),
                '"',
            ))
        t_20.extend((
            '>',
            environment.mailkit_print(l_1_label),
            '</mj-button>',
        ))
        return concat(t_20)
    context.exported_vars.add('button')
    context.vars['button'] = l_0_button = Macro(environment, macro, 'button', ('url', 'label', 'v'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro():
        t_21 = []
        pass
        environment.mailkit_tick()
        t_21.append(
            '<mj-section padding="4px 0 20px"><mj-column><mj-divider css-class="mk-divider" /><mj-text padding="0"><div data-text="rule"></div></mj-text></mj-column></mj-section>',
        )
        return concat(t_21)
    context.exported_vars.add('divider')
    context.vars['divider'] = l_0_divider = Macro(environment, macro, 'divider', (), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_a, l_1_v):
        t_22 = []
        l_1_voice = resolve('voice')
        l_1_labels_in = resolve('labels_in')
        l_1_names = missing
        if l_1_a is missing:
            l_1_a = undefined("parameter 'a' was not provided", name='a')
        if l_1_v is missing:
            l_1_v = None
        pass
        environment.mailkit_tick()
        l_1_v = (l_1_v or environment.call(context, (undefined(name='voice') if l_1_voice is missing else l_1_voice), l_1_a))
        l_1_names = t_5(context.eval_ctx, t_7(context, environment.getattr(l_1_a, 'authors'), attribute='name'))
        l_2_tz = resolve('tz')
        l_2__trans = resolve('_trans')
        l_2_gettext = environment.getattr(environment.call(context, (undefined(name='labels_in') if l_1_labels_in is missing else l_1_labels_in), environment.getattr(l_1_v, 'lang')), 'gettext')
        pass
        if environment.getattr(l_1_a, 'dateline'):
            pass
            t_22.extend((
                '<strong dir="auto">',
                environment.mailkit_print(environment.getattr(l_1_a, 'dateline')),
                '</strong> · ',
            ))
        t_22.append(
            environment.mailkit_print(t_3(context, environment.getattr(l_1_a, 'published_at'), (undefined(name='tz') if l_2_tz is missing else l_2_tz), lang=environment.getattr(l_1_v, 'lang'))),
        )
        if (environment.getattr(l_1_a, 'updated_at') and (environment.getattr(l_1_a, 'updated_at') != environment.getattr(l_1_a, 'published_at'))):
            pass
            t_22.append(
                ' · ',
            )
            t_22.append(
                environment.mailkit_print(environment.call(context, l_2_gettext, 'Updated %(time)s', time=(t_3(context, environment.getattr(l_1_a, 'updated_at'), (undefined(name='tz') if l_2_tz is missing else l_2_tz), 'time', lang=environment.getattr(l_1_v, 'lang')) if (t_3(context, environment.getattr(l_1_a, 'updated_at'), (undefined(name='tz') if l_2_tz is missing else l_2_tz), 'day') == t_3(context, environment.getattr(l_1_a, 'published_at'), (undefined(name='tz') if l_2_tz is missing else l_2_tz), 'day')) else t_3(context, environment.getattr(l_1_a, 'updated_at'), (undefined(name='tz') if l_2_tz is missing else l_2_tz), lang=environment.getattr(l_1_v, 'lang'))))),
            )
        if (undefined(name='names') if l_1_names is missing else l_1_names):
            pass
            t_22.append(
                '<br />',
            )
            l_2__trans = environment.call(context, (undefined(name='names_line') if l_0_names_line is missing else l_0_names_line), (undefined(name='names') if l_1_names is missing else l_1_names), l_1_v)
            t_22.append(
                environment.mailkit_print(environment.call(context, l_2_gettext, 'By %(names)s', names=(undefined(name='_trans') if l_2__trans is missing else l_2__trans))),
            )
        l_2_gettext = l_2_tz = l_2__trans = missing
        return concat(t_22)
    context.exported_vars.add('byline')
    context.vars['byline'] = l_0_byline = Macro(environment, macro, 'byline', ('a', 'v'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_names, l_1_v):
        t_23 = []
        l_1_labels_in = resolve('labels_in')
        if l_1_names is missing:
            l_1_names = undefined("parameter 'names' was not provided", name='names')
        if l_1_v is missing:
            l_1_v = undefined("parameter 'v' was not provided", name='v')
        pass
        environment.mailkit_tick()
        t_23.append(
            environment.mailkit_print(environment.call(context, environment.getattr(environment.call(context, (undefined(name='labels_in') if l_1_labels_in is missing else l_1_labels_in), environment.getattr(l_1_v, 'lang')), 'names'), l_1_names)),
        )
        return concat(t_23)
    context.exported_vars.add('names_line')
    context.vars['names_line'] = l_0_names_line = Macro(environment, macro, 'names_line', ('names', 'v'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_a, l_1_v):
        t_24 = []
        l_1_voice = resolve('voice')
        l_1_labels_in = resolve('labels_in')
        l_1_names = missing
        if l_1_a is missing:
            l_1_a = undefined("parameter 'a' was not provided", name='a')
        if l_1_v is missing:
            l_1_v = None
        pass
        environment.mailkit_tick()
        l_1_v = (l_1_v or environment.call(context, (undefined(name='voice') if l_1_voice is missing else l_1_voice), l_1_a))
        l_1_names = t_5(context.eval_ctx, t_7(context, environment.getattr(l_1_a, 'authors'), attribute='name'))
        if (undefined(name='names') if l_1_names is missing else l_1_names):
            pass
            t_24.append(
                '<p class="mk-meta">',
            )
            l_2__trans = missing
            l_2_gettext = environment.getattr(environment.call(context, (undefined(name='labels_in') if l_1_labels_in is missing else l_1_labels_in), environment.getattr(l_1_v, 'lang')), 'gettext')
            pass
            l_2__trans = environment.call(context, (undefined(name='names_line') if l_0_names_line is missing else l_0_names_line), (undefined(name='names') if l_1_names is missing else l_1_names), l_1_v)
            t_24.append(
                environment.mailkit_print(environment.call(context, l_2_gettext, 'By %(names)s', names=(undefined(name='_trans') if l_2__trans is missing else l_2__trans))),
            )
            l_2_gettext = l_2__trans = missing
            t_24.append(
                '</p>',
            )
        return concat(t_24)
    context.exported_vars.add('short_byline')
    context.vars['short_byline'] = l_0_short_byline = Macro(environment, macro, 'short_byline', ('a', 'v'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_a, l_1_v):
        t_25 = []
        l_1_voice = resolve('voice')
        l_1_labels_in = resolve('labels_in')
        l_1_places = l_1_tr = missing
        if l_1_a is missing:
            l_1_a = undefined("parameter 'a' was not provided", name='a')
        if l_1_v is missing:
            l_1_v = None
        pass
        environment.mailkit_tick()
        l_1_v = (l_1_v or environment.call(context, (undefined(name='voice') if l_1_voice is missing else l_1_voice), l_1_a))
        l_1_places = t_5(context.eval_ctx, t_9(context, environment.getattr(l_1_a, 'authors'), 'reported_from'))
        if environment.getattr(l_1_a, 'contributors'):
            pass
            t_25.extend((
                '<p class="mk-endnote"><span dir="auto">',
                environment.mailkit_print(environment.getattr(l_1_a, 'contributors')),
                '</span></p>',
            ))
        l_1_tr = environment.call(context, (undefined(name='labels_in') if l_1_labels_in is missing else l_1_labels_in), environment.getattr(l_1_v, 'lang'))
        if (undefined(name='places') if l_1_places is missing else l_1_places):
            pass
            t_25.append(
                '<p class="mk-endnote">',
            )
            l_2_gettext = environment.getattr((undefined(name='tr') if l_1_tr is missing else l_1_tr), 'gettext')
            pass
            l_3_loop = missing
            for l_3_p, l_3_loop in LoopContext((undefined(name='places') if l_1_places is missing else l_1_places), undefined):
                l_3_name = resolve('name')
                l_3_place = resolve('place')
                _loop_vars = {}
                pass
                environment.mailkit_tick()
                if (environment.getattr(l_1_v, 'dir') == 'ltr'):
                    pass
                    (l_3_name, l_3_place) = (environment.getattr(l_3_p, 'name'), environment.getattr(l_3_p, 'reported_from'))
                    _loop_vars.update({'name': l_3_name, 'place': l_3_place})
                else:
                    pass
                    t_26 = []
                    pass
                    t_26.extend((
                        '<span dir="auto">',
                        environment.mailkit_print(environment.getattr(l_3_p, 'name')),
                        '</span>',
                    ))
                    l_3_name = (Markup if context.eval_ctx.autoescape else identity)(concat(t_26))
                    _loop_vars['name'] = l_3_name
                    t_27 = []
                    pass
                    t_27.extend((
                        '<span dir="auto">',
                        environment.mailkit_print(environment.getattr(l_3_p, 'reported_from')),
                        '</span>',
                    ))
                    l_3_place = (Markup if context.eval_ctx.autoescape else identity)(concat(t_27))
                    _loop_vars['place'] = l_3_place
                t_25.append(
                    environment.mailkit_print(environment.call(context, l_2_gettext, '%(name)s reported from %(place)s.', name=(undefined(name='name') if l_3_name is missing else l_3_name), place=(undefined(name='place') if l_3_place is missing else l_3_place), _loop_vars=_loop_vars)),
                )
                if (not environment.getattr(l_3_loop, 'last')):
                    pass
                    t_25.append(
                        environment.mailkit_print(environment.getattr((undefined(name='tr') if l_1_tr is missing else l_1_tr), 'sentence_gap')),
                    )
            l_3_loop = l_3_p = l_3_name = l_3_place = missing
            l_2_gettext = missing
            t_25.append(
                '</p>',
            )
        return concat(t_25)
    context.exported_vars.add('endnotes')
    context.vars['endnotes'] = l_0_endnotes = Macro(environment, macro, 'endnotes', ('a', 'v'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_a, l_1_band_label, l_1_button_label, l_1_show_kicker, l_1_show_dek, l_1_show_byline, l_1_show_image, l_1_show_body, l_1_show_endnotes, l_1_show_button):
        t_28 = []
        l_1_voice = resolve('voice')
        l_1_v = l_1_kicker = missing
        if l_1_a is missing:
            l_1_a = undefined("parameter 'a' was not provided", name='a')
        if l_1_band_label is missing:
            l_1_band_label = undefined("parameter 'band_label' was not provided", name='band_label')
        if l_1_button_label is missing:
            l_1_button_label = undefined("parameter 'button_label' was not provided", name='button_label')
        if l_1_show_kicker is missing:
            l_1_show_kicker = True
        if l_1_show_dek is missing:
            l_1_show_dek = True
        if l_1_show_byline is missing:
            l_1_show_byline = True
        if l_1_show_image is missing:
            l_1_show_image = True
        if l_1_show_body is missing:
            l_1_show_body = True
        if l_1_show_endnotes is missing:
            l_1_show_endnotes = True
        if l_1_show_button is missing:
            l_1_show_button = True
        pass
        environment.mailkit_tick()
        l_1_v = environment.call(context, (undefined(name='voice') if l_1_voice is missing else l_1_voice), l_1_a)
        l_1_kicker = (environment.getattr(l_1_a, 'kicker') or environment.getattr(l_1_a, 'section'))
        t_28.extend((
            '<mj-section padding="24px 0 0">\n  <mj-column>\n    <mj-text css-class="mk-text" align="',
            environment.mailkit_print(environment.getattr((undefined(name='v') if l_1_v is missing else l_1_v), 'align')),
            '">',
        ))
        def macro():
            t_29 = []
            pass
            environment.mailkit_tick()
            if ((l_1_show_kicker and (undefined(name='kicker') if l_1_kicker is missing else l_1_kicker)) and (t_6((undefined(name='kicker') if l_1_kicker is missing else l_1_kicker)) != t_6(l_1_band_label))):
                pass
                t_29.extend((
                    '<p class="mk-kicker">',
                    environment.mailkit_print((undefined(name='kicker') if l_1_kicker is missing else l_1_kicker)),
                    '</p>',
                ))
            t_29.extend((
                '      <h1>',
                environment.mailkit_print(environment.getattr(l_1_a, 'headline')),
                '</h1>\n',
            ))
            if (l_1_show_dek and environment.getattr(l_1_a, 'dek')):
                pass
                t_29.extend((
                    '<p class="mk-dek">',
                    environment.mailkit_print(environment.getattr(l_1_a, 'dek')),
                    '</p>',
                ))
            t_29.append(
                '      ',
            )
            if l_1_show_byline:
                pass
                t_29.extend((
                    '<p class="mk-meta">',
                    environment.mailkit_print(environment.call(context, (undefined(name='byline') if l_0_byline is missing else l_0_byline), l_1_a, (undefined(name='v') if l_1_v is missing else l_1_v))),
                    '</p>',
                ))
            t_29.append(
                '\n',
            )
            return concat(t_29)
        caller = Macro(environment, macro, None, (), False, False, False, context.eval_ctx.autoescape)
        t_28.append(environment.call(context, (undefined(name='in_voice') if l_0_in_voice is missing else l_0_in_voice), (undefined(name='v') if l_1_v is missing else l_1_v), caller=caller))
        t_28.extend((
            '</mj-text>\n  </mj-column>\n</mj-section>\n<mj-section padding="20px 0 0">\n  <mj-column>\n    ',
            environment.mailkit_print((environment.call(context, (undefined(name='image') if l_0_image is missing else l_0_image), environment.getattr(l_1_a, 'image'), v=(undefined(name='v') if l_1_v is missing else l_1_v)) if l_1_show_image else '')),
            '\n    <mj-text css-class="mk-text" align="',
            environment.mailkit_print(environment.getattr((undefined(name='v') if l_1_v is missing else l_1_v), 'align')),
            '">',
        ))
        def macro():
            t_30 = []
            l_2_body = resolve('body')
            pass
            environment.mailkit_tick()
            t_30.extend((
                '      ',
                environment.mailkit_print((environment.call(context, (undefined(name='body') if l_2_body is missing else l_2_body), l_1_a) if l_1_show_body else '')),
                '\n      ',
                environment.mailkit_print((environment.call(context, (undefined(name='endnotes') if l_0_endnotes is missing else l_0_endnotes), l_1_a, (undefined(name='v') if l_1_v is missing else l_1_v)) if l_1_show_endnotes else '')),
                '\n',
            ))
            return concat(t_30)
        caller = Macro(environment, macro, None, (), False, False, False, context.eval_ctx.autoescape)
        t_28.append(environment.call(context, (undefined(name='in_voice') if l_0_in_voice is missing else l_0_in_voice), (undefined(name='v') if l_1_v is missing else l_1_v), caller=caller))
        t_28.extend((
            '</mj-text>\n    ',
            environment.mailkit_print((environment.call(context, (undefined(name='button') if l_0_button is missing else l_0_button), environment.getattr(l_1_a, 'url'), l_1_button_label, (undefined(name='v') if l_1_v is missing else l_1_v)) if l_1_show_button else '')),
            '\n  </mj-column>\n</mj-section>',
        ))
        return concat(t_28)
    context.exported_vars.add('story')
    context.vars['story'] = l_0_story = Macro(environment, macro, 'story', ('a', 'band_label', 'button_label', 'show_kicker', 'show_dek', 'show_byline', 'show_image', 'show_body', 'show_endnotes', 'show_button'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_a):
        t_31 = []
        l_1__ = resolve('_')
        if l_1_a is missing:
            l_1_a = undefined("parameter 'a' was not provided", name='a')
        pass
        environment.mailkit_tick()
        if environment.getattr(l_1_a, 'related'):
            pass
            t_31.extend((
                environment.mailkit_print(environment.call(context, (undefined(name='divider') if l_0_divider is missing else l_0_divider))),
                '\n<mj-section padding="0 0 16px">\n  <mj-column>\n    <mj-text css-class="mk-text">\n      <h2 class="mk-section-title">',
                environment.mailkit_print(environment.call(context, (undefined(name='_') if l_1__ is missing else l_1__), 'Related coverage')),
                '</h2>\n      <ul>\n',
            ))
            for l_2_link in environment.getattr(l_1_a, 'related'):
                _loop_vars = {}
                pass
                environment.mailkit_tick()
                t_31.extend((
                    '<li><a href="',
                    environment.mailkit_print(environment.getattr(l_2_link, 'url')),
                    '" dir="auto">',
                    environment.mailkit_print(environment.getattr(l_2_link, 'title')),
                    '</a></li>',
                ))
            l_2_link = missing
            t_31.append(
                '      </ul>\n    </mj-text>\n  </mj-column>\n</mj-section>\n',
            )
        return concat(t_31)
    context.exported_vars.add('related')
    context.vars['related'] = l_0_related = Macro(environment, macro, 'related', ('a',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_a, l_1_width, l_1_show_image, l_1_heading, l_1_show_kicker, l_1_show_summary, l_1_show_byline):
        t_32 = []
        l_1_voice = resolve('voice')
        l_1_leaves_out = resolve('leaves_out')
        l_1_image_box = resolve('image_box')
        l_1_box = resolve('box')
        l_1_v = l_1_kicker = l_1_noted = missing
        if l_1_a is missing:
            l_1_a = undefined("parameter 'a' was not provided", name='a')
        if l_1_width is missing:
            l_1_width = 264
        if l_1_show_image is missing:
            l_1_show_image = True
        if l_1_heading is missing:
            l_1_heading = None
        if l_1_show_kicker is missing:
            l_1_show_kicker = True
        if l_1_show_summary is missing:
            l_1_show_summary = True
        if l_1_show_byline is missing:
            l_1_show_byline = True
        pass
        environment.mailkit_tick()
        l_1_v = environment.call(context, (undefined(name='voice') if l_1_voice is missing else l_1_voice), l_1_a)
        l_1_kicker = (environment.getattr(l_1_a, 'kicker') or (environment.getattr(l_1_a, 'section') if (environment.getattr(l_1_a, 'section') != l_1_heading) else None))
        l_1_noted = environment.call(context, (undefined(name='leaves_out') if l_1_leaves_out is missing else l_1_leaves_out), l_1_a, 'body related contributors', 'a digest links to the full story')
        l_1_noted = environment.call(context, (undefined(name='leaves_out') if l_1_leaves_out is missing else l_1_leaves_out), l_1_a, 'image.caption', 'story card: the alt text describes the image')
        t_32.append(
            '<mj-column padding="0 0 24px" css-class="mk-story">\n',
        )
        if (l_1_show_image and environment.getattr(l_1_a, 'image')):
            pass
            l_1_box = environment.call(context, (undefined(name='image_box') if l_1_image_box is missing else l_1_image_box), environment.getattr(l_1_a, 'image'), l_1_width, l_1_width)
            t_32.extend((
                '  <mj-image src="',
                environment.mailkit_print(environment.getattr(environment.getattr(l_1_a, 'image'), 'src')),
                '" alt="',
                environment.mailkit_print(environment.getattr(environment.getattr(l_1_a, 'image'), 'alt')),
                '" width="',
                environment.mailkit_print(environment.getattr((undefined(name='box') if l_1_box is missing else l_1_box), 'width')),
                'px"',
            ))
            if environment.getattr((undefined(name='box') if l_1_box is missing else l_1_box), 'height'):
                pass
                t_32.extend((
                    ' height="',
                    environment.mailkit_print(environment.getattr((undefined(name='box') if l_1_box is missing else l_1_box), 'height')),
                    'px"',
                ))
            t_32.extend((
                ' padding="0 12px ',
                environment.mailkit_print(('4px' if environment.getattr(environment.getattr(l_1_a, 'image'), 'credit') else '10px')),
                '" fluid-on-mobile="',
                environment.mailkit_print(t_6(environment.getattr((undefined(name='box') if l_1_box is missing else l_1_box), 'fluid'))),
                '" css-class="mk-img',
                environment.mailkit_print(environment.getattr((undefined(name='v') if l_1_v is missing else l_1_v), 'image_class')),
                '" />\n',
            ))
            if environment.getattr(environment.getattr(l_1_a, 'image'), 'credit'):
                pass
                t_32.extend((
                    '<mj-text css-class="mk-text" padding="0 12px 10px" align="',
                    environment.mailkit_print(environment.getattr((undefined(name='v') if l_1_v is missing else l_1_v), 'align')),
                    '">',
                ))
                def macro():
                    t_33 = []
                    pass
                    environment.mailkit_tick()
                    t_33.extend((
                        '<p class="mk-caption">',
                        environment.mailkit_print(environment.call(context, (undefined(name='credit_line') if l_0_credit_line is missing else l_0_credit_line), environment.getattr(environment.getattr(l_1_a, 'image'), 'credit'), (undefined(name='v') if l_1_v is missing else l_1_v))),
                        '</p>',
                    ))
                    return concat(t_33)
                caller = Macro(environment, macro, None, (), False, False, False, context.eval_ctx.autoescape)
                t_32.append(environment.call(context, (undefined(name='in_voice') if l_0_in_voice is missing else l_0_in_voice), (undefined(name='v') if l_1_v is missing else l_1_v), caller=caller))
                t_32.append(
                    '</mj-text>',
                )
        t_32.extend((
            '  <mj-text css-class="mk-text" padding="0 12px" align="',
            environment.mailkit_print(environment.getattr((undefined(name='v') if l_1_v is missing else l_1_v), 'align')),
            '">',
        ))
        def macro():
            t_34 = []
            pass
            environment.mailkit_tick()
            if (l_1_show_kicker and (undefined(name='kicker') if l_1_kicker is missing else l_1_kicker)):
                pass
                t_34.extend((
                    '<p class="mk-kicker">',
                    environment.mailkit_print((undefined(name='kicker') if l_1_kicker is missing else l_1_kicker)),
                    '</p>',
                ))
            t_34.extend((
                '    <h3><a href="',
                environment.mailkit_print(environment.getattr(l_1_a, 'url')),
                '">',
                environment.mailkit_print(environment.getattr(l_1_a, 'headline')),
                '</a></h3>\n',
            ))
            if (l_1_show_summary and (environment.getattr(l_1_a, 'summary') or environment.getattr(l_1_a, 'dek'))):
                pass
                t_34.extend((
                    '<p style="font-size:16px;line-height:1.5;margin:0;">',
                    environment.mailkit_print((environment.getattr(l_1_a, 'summary') or environment.getattr(l_1_a, 'dek'))),
                    '</p>',
                ))
            t_34.extend((
                '    ',
                environment.mailkit_print((environment.call(context, (undefined(name='short_byline') if l_0_short_byline is missing else l_0_short_byline), l_1_a, (undefined(name='v') if l_1_v is missing else l_1_v)) if l_1_show_byline else '')),
                '\n',
            ))
            return concat(t_34)
        caller = Macro(environment, macro, None, (), False, False, False, context.eval_ctx.autoescape)
        t_32.append(environment.call(context, (undefined(name='in_voice') if l_0_in_voice is missing else l_0_in_voice), (undefined(name='v') if l_1_v is missing else l_1_v), caller=caller))
        t_32.append(
            '</mj-text>\n</mj-column>',
        )
        return concat(t_32)
    context.exported_vars.add('story_card')
    context.vars['story_card'] = l_0_story_card = Macro(environment, macro, 'story_card', ('a', 'width', 'show_image', 'heading', 'show_kicker', 'show_summary', 'show_byline'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_a, l_1_part, l_1_heading, l_1_show_kicker, l_1_show_summary, l_1_show_byline):
        t_35 = []
        l_1_voice = resolve('voice')
        l_1_leaves_out = resolve('leaves_out')
        l_1_v = l_1_kicker = l_1_noted = missing
        if l_1_a is missing:
            l_1_a = undefined("parameter 'a' was not provided", name='a')
        if l_1_part is missing:
            l_1_part = undefined("parameter 'part' was not provided", name='part')
        if l_1_heading is missing:
            l_1_heading = None
        if l_1_show_kicker is missing:
            l_1_show_kicker = True
        if l_1_show_summary is missing:
            l_1_show_summary = True
        if l_1_show_byline is missing:
            l_1_show_byline = True
        pass
        environment.mailkit_tick()
        l_1_v = environment.call(context, (undefined(name='voice') if l_1_voice is missing else l_1_voice), l_1_a)
        l_1_kicker = (environment.getattr(l_1_a, 'kicker') or (environment.getattr(l_1_a, 'section') if (environment.getattr(l_1_a, 'section') != l_1_heading) else None))
        l_1_noted = environment.call(context, (undefined(name='leaves_out') if l_1_leaves_out is missing else l_1_leaves_out), l_1_a, 'image', l_1_part)
        l_1_noted = environment.call(context, (undefined(name='leaves_out') if l_1_leaves_out is missing else l_1_leaves_out), l_1_a, 'body related contributors', 'a digest links to the full story')
        def macro():
            t_36 = []
            pass
            environment.mailkit_tick()
            if (l_1_show_kicker and (undefined(name='kicker') if l_1_kicker is missing else l_1_kicker)):
                pass
                t_36.extend((
                    '<p class="mk-kicker">',
                    environment.mailkit_print((undefined(name='kicker') if l_1_kicker is missing else l_1_kicker)),
                    '</p>',
                ))
            t_36.extend((
                '<h3><a href="',
                environment.mailkit_print(environment.getattr(l_1_a, 'url')),
                '">',
                environment.mailkit_print(environment.getattr(l_1_a, 'headline')),
                '</a></h3>\n',
            ))
            if (l_1_show_summary and (environment.getattr(l_1_a, 'summary') or environment.getattr(l_1_a, 'dek'))):
                pass
                t_36.extend((
                    '<p>',
                    environment.mailkit_print((environment.getattr(l_1_a, 'summary') or environment.getattr(l_1_a, 'dek'))),
                    '</p>',
                ))
            t_36.extend((
                environment.mailkit_print((environment.call(context, (undefined(name='short_byline') if l_0_short_byline is missing else l_0_short_byline), l_1_a, (undefined(name='v') if l_1_v is missing else l_1_v)) if l_1_show_byline else '')),
                '\n',
            ))
            return concat(t_36)
        caller = Macro(environment, macro, None, (), False, False, False, context.eval_ctx.autoescape)
        t_35.append(environment.call(context, (undefined(name='in_voice') if l_0_in_voice is missing else l_0_in_voice), (undefined(name='v') if l_1_v is missing else l_1_v), caller=caller))
        return concat(t_35)
    context.exported_vars.add('story_entry')
    context.vars['story_entry'] = l_0_story_entry = Macro(environment, macro, 'story_entry', ('a', 'part', 'heading', 'show_kicker', 'show_summary', 'show_byline'), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro():
        t_37 = []
        l_1_colors = resolve('colors')
        l_1_newsletter = resolve('newsletter')
        l_1_about_html = resolve('about_html')
        l_1_gettext = resolve('gettext')
        l_1_footer = resolve('footer')
        l_1_name_html = resolve('name_html')
        l_1_site_html = resolve('site_html')
        l_1_unsubscribe_url = resolve('unsubscribe_url')
        l_1__ = resolve('_')
        l_1_preferences_url = resolve('preferences_url')
        l_1_title_html = missing
        pass
        environment.mailkit_tick()
        t_37.extend((
            '<mj-section padding="28px 0 12px" background-color="',
            environment.mailkit_print(environment.getattr((undefined(name='colors') if l_1_colors is missing else l_1_colors), 'page')),
            '" css-class="mk-page-footer">\n  <mj-column>\n    <mj-divider css-class="mk-divider" padding="0 24px 20px" />\n    <mj-text padding="0 24px" css-class="mk-text" color="',
            environment.mailkit_print(environment.getattr((undefined(name='colors') if l_1_colors is missing else l_1_colors), 'muted')),
            '" font-size="14px" line-height="1.6">\n      <div data-text="rule"></div>\n',
        ))
        t_38 = []
        pass
        t_38.extend((
            '<strong dir="auto">',
            environment.mailkit_print(environment.getattr((undefined(name='newsletter') if l_1_newsletter is missing else l_1_newsletter), 'name')),
            '</strong>',
        ))
        l_1_title_html = (Markup if context.eval_ctx.autoescape else identity)(concat(t_38))
        if environment.getattr((undefined(name='newsletter') if l_1_newsletter is missing else l_1_newsletter), 'description'):
            pass
            t_39 = []
            pass
            t_39.extend((
                '<span dir="auto">',
                environment.mailkit_print(environment.getattr((undefined(name='newsletter') if l_1_newsletter is missing else l_1_newsletter), 'description')),
                '</span>',
            ))
            l_1_about_html = (Markup if context.eval_ctx.autoescape else identity)(concat(t_39))
            t_37.append(
                '      <p class="mk-footer-text">',
            )
            t_37.append(
                environment.mailkit_print(environment.call(context, (undefined(name='gettext') if l_1_gettext is missing else l_1_gettext), '%(newsletter)s: %(description)s', newsletter=(undefined(name='title_html') if l_1_title_html is missing else l_1_title_html), description=(undefined(name='about_html') if l_1_about_html is missing else l_1_about_html))),
            )
            t_37.append(
                '</p>\n',
            )
        else:
            pass
            t_37.extend((
                '<p class="mk-footer-text">',
                environment.mailkit_print((undefined(name='title_html') if l_1_title_html is missing else l_1_title_html)),
                '</p>',
            ))
        if environment.getattr((undefined(name='footer') if l_1_footer is missing else l_1_footer), 'reason'):
            pass
            t_37.extend((
                '<p class="mk-footer-text" dir="auto">',
                environment.mailkit_print(environment.getattr((undefined(name='footer') if l_1_footer is missing else l_1_footer), 'reason')),
                '</p>',
            ))
        else:
            pass
            t_40 = []
            pass
            t_40.extend((
                '<span dir="auto">',
                environment.mailkit_print(environment.getattr((undefined(name='newsletter') if l_1_newsletter is missing else l_1_newsletter), 'name')),
                '</span>',
            ))
            l_1_name_html = (Markup if context.eval_ctx.autoescape else identity)(concat(t_40))
            l_2_brand = resolve('brand')
            t_41 = []
            pass
            t_41.extend((
                '<a href="',
                environment.mailkit_print((environment.getattr((undefined(name='footer') if l_1_footer is missing else l_1_footer), 'signup_url') or environment.getattr((undefined(name='newsletter') if l_1_newsletter is missing else l_1_newsletter), 'url'))),
                '" dir="auto">',
                environment.mailkit_print(environment.getattr((undefined(name='brand') if l_2_brand is missing else l_2_brand), 'name')),
                '</a>',
            ))
            l_1_site_html = (Markup if context.eval_ctx.autoescape else identity)(concat(t_41))
            l_2_brand = missing
            t_37.append(
                '      <p class="mk-footer-text">',
            )
            t_37.append(
                environment.mailkit_print(environment.call(context, (undefined(name='gettext') if l_1_gettext is missing else l_1_gettext), 'You’re receiving %(newsletter)s because you signed up at %(site)s.', newsletter=(undefined(name='name_html') if l_1_name_html is missing else l_1_name_html), site=(undefined(name='site_html') if l_1_site_html is missing else l_1_site_html))),
            )
            t_37.append(
                '</p>',
            )
        t_37.extend((
            '      <p class="mk-footer-text"><a href="',
            environment.mailkit_print((undefined(name='unsubscribe_url') if l_1_unsubscribe_url is missing else l_1_unsubscribe_url)),
            '">',
            environment.mailkit_print(environment.call(context, (undefined(name='_') if l_1__ is missing else l_1__), 'Unsubscribe')),
            '</a> · <a href="',
            environment.mailkit_print((undefined(name='preferences_url') if l_1_preferences_url is missing else l_1_preferences_url)),
            '">',
            environment.mailkit_print(environment.call(context, (undefined(name='_') if l_1__ is missing else l_1__), 'Manage preferences')),
            '</a>',
        ))
        if environment.getattr((undefined(name='footer') if l_1_footer is missing else l_1_footer), 'view_in_browser_url'):
            pass
            t_37.extend((
                ' · <a href="',
                environment.mailkit_print(environment.getattr((undefined(name='footer') if l_1_footer is missing else l_1_footer), 'view_in_browser_url')),
                '">',
                environment.mailkit_print(environment.call(context, (undefined(name='_') if l_1__ is missing else l_1__), 'View in browser')),
                '</a>',
            ))
        t_37.extend((
            '</p>\n      <p class="mk-footer-text" dir="auto">',
            environment.mailkit_print(environment.getattr((undefined(name='footer') if l_1_footer is missing else l_1_footer), 'postal_address')),
            '</p>\n',
        ))
        if environment.getattr((undefined(name='footer') if l_1_footer is missing else l_1_footer), 'copyright'):
            pass
            t_37.extend((
                '<p class="mk-footer-text" dir="auto">',
                environment.mailkit_print(environment.getattr((undefined(name='footer') if l_1_footer is missing else l_1_footer), 'copyright')),
                '</p>',
            ))
        t_37.append(
            '    </mj-text>\n  </mj-column>\n</mj-section>',
        )
        return concat(t_37)
    context.exported_vars.add('page_footer')
    context.vars['page_footer'] = l_0_page_footer = Macro(environment, macro, 'page_footer', (), False, False, False, context.eval_ctx.autoescape)

blocks = {}
debug_info = '9=67&13=80&18=82&22=89&25=95&28=113&31=120&34=132&40=150&41=154&42=167&44=171&47=188&51=195&57=223&61=238&63=240&68=257&72=274&73=276&74=277&76=280&77=303&78=307&83=327&91=336&92=340&95=364&97=378&98=388&101=398&104=410&107=429&112=440&115=451&118=452&120=457&121=467&122=475&122=482&126=489&130=499&133=505&135=516&137=517&138=518&138=528&141=538&146=549&147=550&148=551&150=558&151=559&154=614&158=640&159=641&162=644&164=651&165=660&166=663&167=673&162=685&173=688&174=690&175=700&176=702&174=707&178=710&183=717&185=724&186=727&190=729&192=732&200=751&205=774&206=775&207=776&208=777&210=781&211=783&212=786&213=809&215=833&216=840&217=849&218=854&219=863&215=868&224=876&228=895&229=896&230=897&231=898&232=899&233=903&234=912&235=917&236=925&232=930&240=935&243=952&246=954&250=961&251=965&252=979&253=988&254=991&255=1004&256=1013&257=1024&258=1031&259=1051&260=1054'

# Generated by Jinja from templates/partials/components.mjml.j2 (mailkit._precompiled): do not edit.
