"""Deliverability and accessibility checks over a rendered email.

Each check returns human-readable warnings; ``RenderOptions(strict=True)``
and ``mailkit check`` turn them into failures.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from ._languages import composed_length
from ._message import RenderedEmail, html_wire_size, max_wire_size
from ._sanitize import Limits, current_limits
from ._warning import RenderWarning, warning_code

if TYPE_CHECKING:
    from ._spam import SpamReport

__all__ = ["GMAIL_CLIP_BYTES", "MAX_STYLE_BYTES", "MAX_SUBJECT_CHARS", "CheckResult", "clip_size", "contrast_ratio",
           "deliverability_warnings", "first_visible_line", "run_checks", "spam_check", "warnings_check"]

# Gmail clips messages whose HTML is over about 102 KB, hiding the rest, the
# unsubscribe link included.
GMAIL_CLIP_BYTES = 102_000
# Gmail drops a <style> block over 16 KiB entirely (one limit, in Limits)
MAX_STYLE_BYTES = Limits.max_style_bytes  # the default; a check reads the limits in force
MAX_SUBJECT_CHARS = 78
# the warnings the "preheader" check reports
PREHEADER_CODES = frozenset({"no-preheader", "preheader-repeats-subject", "preheader-repeats-first-line"})

# "(.*?)</style>" tries the end tag at every character, a third of a render's
# checks; this unrolled form only at each "<"
_STYLE = re.compile(r"<style\b[^>]*>([^<]*(?:<(?!/style>)[^<]*)*)</style>", re.IGNORECASE)
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
# an image file whose format some inboxes do not show, by the extension of its
# URL's path (the query and fragment are not the file): SVG neither Gmail nor
# Outlook on Windows, WebP not Outlook on Windows, AVIF neither Gmail nor Outlook
_IMAGE_FORMAT = re.compile(r"""\ssrc=["']?([^"'\s>?#]*\.(svg|webp|avif))(?=[?#"'\s>])""", re.IGNORECASE)
_HTTP_IMAGE = re.compile(r"""\ssrc=["']?(http://[^"'\s>]*)""", re.IGNORECASE)
_FORMAT_NOT_SHOWN = {"svg": "Gmail and Outlook on Windows", "webp": "Outlook on Windows", "avif": "Gmail and Outlook"}
_HREF = re.compile(r"""<a\b[^>]*?\bhref=["']([^"']*)["']""", re.IGNORECASE)
# The three above in one scan (deliverability_warnings, every render): each
# "<" tried once, not three times, and only when a letter that starts one of
# the three follows (breaking alert, 23 KB of HTML: the three findall 34 ->
# 16 us; 150 paragraphs 77 -> 32 us).
_CHECKED_TAGS = re.compile(
    r"""<(?=[sSiIaA])(?:style\b[^>]*>([^<]*(?:<(?!/style>)[^<]*)*)</style>|(img\b[^>]*>)|a\b[^>]*?\bhref=["']([^"']*)["'])""",
    re.IGNORECASE)


def _tag_scan(html: str) -> tuple[list[str], list[str], list[str]]:
    """``(_STYLE.findall(html), _IMG.findall(html), _HREF.findall(html))``, in one pass.

    One scan skips what each match covers; three scans do not. They differ only
    when a match holds a "<" that could start another (the raw text of a
    <style>, a comment's markup): then the three scans run.
    """
    styles: list[str] = []
    images: list[str] = []
    hrefs: list[str] = []
    for m in _CHECKED_TAGS.finditer(html):
        style, img, href = m.groups()
        if style is not None:
            if "<" in html[m.start() + 1 : m.end() - 8]:  # inside the tag or its text, before "</style>"
                break
            styles.append(style)
        elif img is not None:
            if "<" in img:
                break
            images.append("<" + img)
        else:
            if "<" in html[m.start() + 1 : m.end()]:
                break
            hrefs.append(href)
    else:
        return styles, images, hrefs
    return _STYLE.findall(html), _IMG.findall(html), _HREF.findall(html)


def clip_size(email: RenderedEmail) -> tuple[int, int]:
    """``(decoded, sent)``: bytes of HTML, and of the HTML part as the message carries it.

    The part travels quoted-printable or base64 (see :func:`mailkit._message.encode_part`),
    which is larger than the HTML; Gmail's clip is checked against the larger of the two.
    """
    return len(email.html.encode("utf-8")), html_wire_size(email)


# the line boundaries of str.splitlines()
_LINE_END = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_VISIBLE = re.compile(r"\S")


def first_visible_line(text: str) -> str:
    """``next((line.strip() for line in text.splitlines() if line.strip()), "")``, without splitting
    the whole text into lines (0.15 ms of 0.8 for the checks at 1,000 paragraphs): everything before
    the first character that is not whitespace is whitespace, so its line, stripped, starts there."""
    m = _VISIBLE.search(text)
    if m is None:
        return ""
    end = _LINE_END.search(text, m.start())
    return text[m.start():end.start() if end else len(text)].strip()


def _size_detail(decoded: int, sent: int) -> str:
    return f"{sent:,} bytes as sent ({decoded:,} decoded)"


def deliverability_warnings(email: RenderedEmail) -> list[RenderWarning]:
    """Warnings for size, style size, alt text, link schemes, preheader and subject."""
    warnings: list[RenderWarning] = []

    def warn(code: str, field: str, message: str) -> None:
        warnings.append(RenderWarning(code, message, field, email.template))

    decoded = len(email.html.encode("utf-8"))
    # measured exactly only where it can matter: encoding costs ~0.5 ms a render
    sent = html_wire_size(email) if max_wire_size(decoded) > GMAIL_CLIP_BYTES else 0
    if max(decoded, sent) > GMAIL_CLIP_BYTES:
        warn("gmail-clip", "html", f"HTML is {_size_detail(decoded, sent)}: over Gmail's clip limit of "
             f"{GMAIL_CLIP_BYTES:,}, Gmail will hide the rest, including the unsubscribe link")
    styles, images, hrefs = _tag_scan(email.html)
    for i, style in enumerate(styles):
        n = len(style.encode("utf-8"))
        if n > current_limits().max_style_bytes:
            warn("style-too-large", "html", f"<style> block {i + 1} is {n:,} bytes: Gmail ignores a style block over 16 KB")
    # one warning a kind, with the count and the first case: a body of 3,000 images
    # without alt text was 3,000 lines in `mailkit check`, the preview and every log
    no_alt = [img for img in images if not re.search(r"\balt=", img)]
    if no_alt:
        warn("image-no-alt", "html", f"image without alt attribute: {no_alt[0][:100]}" if len(no_alt) == 1 else
             f"{len(no_alt):,} images without alt attribute, the first: {no_alt[0][:100]}")
    formats = [m for m in map(_IMAGE_FORMAT.search, images) if m]
    if formats:
        url, ext = formats[0].groups()
        first = f"{url[:100]}: {ext.upper()}, which {_FORMAT_NOT_SHOWN[ext.lower()]} do not show"
        warn("image-format", "html", f"image in a format not every inbox shows: {first}" if len(formats) == 1 else
             f"{len(formats):,} images in a format not every inbox shows, the first: {first}")
    plain = [m.group(1) for m in map(_HTTP_IMAGE.search, images) if m]
    if plain:
        warn("image-not-https", "html", f"image is not https: {plain[0][:100]}" if len(plain) == 1 else
             f"{len(plain):,} images are not https, the first: {plain[0][:100]}")
    http = [href for href in hrefs if href.startswith("http://")]
    if http:
        warn("link-not-https", "html", f"link is not https: {http[0]}" if len(http) == 1 else
             f"{len(http):,} links are not https, the first: {http[0]}")
    if not email.preheader:
        warn("no-preheader", "preheader", "no preheader: inboxes will show the first text of the body instead")
    elif email.preheader.strip().casefold() == email.subject.strip().casefold():
        warn("preheader-repeats-subject", "preheader", "preheader repeats the subject: inboxes show them side by side")
    else:
        first = first_visible_line(email.text)
        if first and first.casefold() == email.preheader.strip().casefold():
            warn("preheader-repeats-first-line", "preheader", "preheader repeats the first visible line of the email")
    if composed_length(email.subject) > MAX_SUBJECT_CHARS:
        warn("subject-too-long", "subject",
             f"subject is {composed_length(email.subject)} characters: over {MAX_SUBJECT_CHARS}, "
             "inboxes cut it")
    return warnings


# --- mailkit check: deliverability and accessibility report ------------------


@dataclass(frozen=True)
class CheckResult:
    """One line of a ``mailkit check`` report."""

    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` (or ``#rgb``) colours."""

    def luminance(color: str) -> float:
        hex_ = color.lstrip("#")
        if len(hex_) == 3:
            hex_ = "".join(c * 2 for c in hex_)
        channels = [int(hex_[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _contrast_pairs(email: RenderedEmail) -> list[tuple[str, str, str]]:
    c = email.edition.newsletter.brand.colors
    return [
        ("body text", c.text, c.background), ("captions and meta", c.muted, c.background),
        ("links", c.link, c.background), ("kicker", c.accent, c.background),
        ("band label", c.on_accent, c.accent), ("button", c.on_button, c.button),
        ("footer text", c.muted, c.page), ("image alt text", c.muted, c.rule),
        ("dark: body text", c.dark_text, c.dark_background), ("dark: captions", c.dark_muted, c.dark_background),
        ("dark: links", c.dark_link, c.dark_background), ("dark: kicker", c.dark_accent, c.dark_background),
        ("dark: footer", c.dark_muted, c.dark_page), ("dark: image alt text", c.dark_muted, c.dark_rule),
    ]


def spam_check(report: SpamReport | None) -> CheckResult:
    """The ``spam score`` line: SpamAssassin's local score and the rules that fired, or why it did not run."""
    from ._spam import SPAM_SCORE_LIMIT  # SpamAssassin's module loads for a spam check only, not with every render

    if report is None:
        return CheckResult("spam score", True, "not run: SpamAssassin is not installed (apt-get install spamassassin)")
    return CheckResult("spam score", report.score <= SPAM_SCORE_LIMIT,
                       f"{report.summary()} (at most {SPAM_SCORE_LIMIT})")


def warnings_check(email: RenderedEmail, ignore: tuple[str, ...] = ()) -> CheckResult:
    """The ``warnings`` line of ``mailkit check --strict``: fails on any render warning
    whose code ``ignore`` does not name (what ``RenderOptions(strict=True, ignore=...)`` raises on)."""
    left = [w for w in email.warnings if warning_code(w) not in ignore]
    if not left:
        skipped = len(email.warnings)
        return CheckResult("warnings", True, "none" if not skipped else f"none but {skipped} ignored")
    codes = sorted({warning_code(w) or "?" for w in left})
    return CheckResult("warnings", False, f"{len(left)} ({', '.join(codes)}): {left[0]}")


def run_checks(email: RenderedEmail, *, spam: bool = False) -> list[CheckResult]:
    """Every deliverability and accessibility check, passed or not.

    ``spam=True`` adds SpamAssassin's local score of the message (about a
    second; a line saying it did not run when it is not installed). To score
    many emails in one SpamAssassin run, call :func:`~mailkit.spam_reports`
    and :func:`spam_check` yourself, as ``mailkit check --all`` does.
    """
    results: list[CheckResult] = []
    decoded, sent = clip_size(email)
    results.append(CheckResult("size", max(decoded, sent) <= GMAIL_CLIP_BYTES,
                               f"HTML {_size_detail(decoded, sent)}, Gmail clips at {GMAIL_CLIP_BYTES:,}"))
    style_texts, images, hrefs = _tag_scan(email.html)
    styles = [len(s.encode("utf-8")) for s in style_texts]
    biggest = max(styles, default=0)
    most = current_limits().max_style_bytes
    results.append(CheckResult("style size", biggest <= most,
                               f"largest <style> is {biggest:,} bytes, Gmail drops one over {most:,}"))
    missing = [i for i in images if not re.search(r"\balt=", i)]
    results.append(CheckResult("alt text", not missing, f"{len(images) - len(missing)} of {len(images)} images have alt"))
    bad = [h for h in hrefs if not h.startswith(("https://", "mailto:", "tel:", "#"))]
    results.append(CheckResult("link schemes", not bad,
                               f"{len(hrefs)} links, all https/mailto/tel" if not bad else "not https: " + ", ".join(bad[:3])))
    # a URL the sanitiser removed is a render warning; it fails the check, not just strict mode
    dropped = [w for w in email.warnings if warning_code(w) == "url-dropped"]
    results.append(CheckResult("nothing dropped", not dropped,
                               "no link or image removed by the sanitiser" if not dropped else "; ".join(dropped[:3])))
    pre = [w for w in deliverability_warnings(email) if w.code in PREHEADER_CODES]
    results.append(CheckResult("preheader", not pre, pre[0] if pre else f"{len(email.preheader)} characters"))
    subject_chars = composed_length(email.subject)  # as the subject-too-long warning counts them
    results.append(CheckResult("subject length", subject_chars <= MAX_SUBJECT_CHARS,
                               f"{subject_chars} characters (at most {MAX_SUBJECT_CHARS})"))
    head = email.html[: email.html.find(">", email.html.find("<html")) + 1]
    lang_ok = f'lang="{email.edition.lang}"' in head and f'dir="{email.edition.dir}"' in head
    results.append(CheckResult("lang and dir", lang_ok, f'lang="{email.edition.lang}" dir="{email.edition.dir}"'))
    for label, fg, bg in _contrast_pairs(email):
        ratio = contrast_ratio(fg, bg)
        results.append(CheckResult(f"contrast: {label}", ratio >= 4.5, f"{fg} on {bg}: {ratio:.1f}:1 (at least 4.5:1)"))
    if spam:
        from ._spam import spam_message, spam_reports

        reports = spam_reports([spam_message(email)])
        results.append(spam_check(reports[0] if reports else None))
    return results
