"""The HTTP/1.1 grammar as compiled regular expressions.

Each expression sits under the ABNF it implements (RFC 9110 and RFC 9112);
the rest of the engine matches against these, never against ad-hoc character
tests. All expressions work on ``bytes``. Fast paths use ``fullmatch`` on a
whole line or ``findall`` on a whole header block; the slow paths that name
the offending byte use the single-character classes below.
"""

from __future__ import annotations

import re

# RFC 9110 §5.6.2
#   tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
#           "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
#   token = 1*tchar
TCHAR = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]"
TOKEN = TCHAR + rb"+"
TOKEN_RE = re.compile(TOKEN)

# RFC 9110 §5.6.3
#   OWS = *( SP / HTAB )
OWS = rb"[ \t]*"

# RFC 9110 §5.5
#   field-value   = *field-content
#   field-content = field-vchar [ 1*( SP / HTAB / field-vchar ) field-vchar ]
#   field-vchar   = VCHAR / obs-text      ; VCHAR = %x21-7E, obs-text = %x80-FF
FIELD_VCHAR = rb"[\x21-\x7e\x80-\xff]"
FIELD_VALUE = rb"(?:" + FIELD_VCHAR + rb"+(?:[ \t]+" + FIELD_VCHAR + rb"+)*)?"
FIELD_VALUE_RE = re.compile(FIELD_VALUE)
# Any byte a field value may not contain (used to name the offending byte).
FIELD_VALUE_FORBIDDEN_RE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")

# RFC 9112 §5
#   field-line = field-name ":" OWS field-value OWS
# Fast path over a whole head: one field line from the LF that precedes it to
# its CR. The value group keeps trailing OWS (stripped separately, rarely
# present). Every match starts at an LF and ends at a CR, and a value holds
# neither, so when the block has as many matches as LFs, CRs and CRLFs, each
# line is exactly one match: the whole block is valid (_headers.parse_fields).
FIELD_LINES_FINDALL = re.compile(
    rb"\n(" + TOKEN + rb"):" + OWS + rb"([\t\x20-\x7e\x80-\xff]*)\r"
).findall

# RFC 9112 §2.3
#   HTTP-version = HTTP-name "/" DIGIT "." DIGIT
#   HTTP-name    = %s"HTTP"          ; case-sensitive
HTTP_VERSION = rb"HTTP/([0-9])\.([0-9])"
HTTP_VERSION_RE = re.compile(HTTP_VERSION)

# RFC 9112 §4
#   status-line   = HTTP-version SP status-code SP [ reason-phrase ]
#   status-code   = 3DIGIT
#   reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
REASON_PHRASE = rb"[\t\x20-\x7e\x80-\xff]*"
STATUS_LINE_RE = re.compile(HTTP_VERSION + rb" ([0-9]{3}) (" + REASON_PHRASE + rb")")
# Lenient: the SP before an empty reason may be missing, trailing whitespace is dropped.
STATUS_LINE_LENIENT_RE = re.compile(
    HTTP_VERSION + rb" ([0-9]{3})(?: (" + REASON_PHRASE + rb"))?" + OWS
)

# RFC 9112 §3
#   request-line   = method SP request-target SP HTTP-version
#   method         = token
REQUEST_LINE_RE = re.compile(rb"(" + TOKEN + rb") ([\x21-\x7e]+) " + HTTP_VERSION)

# RFC 9112 §3.2 request-target forms, over RFC 3986 characters:
#   origin-form    = absolute-path [ "?" query ]
#   absolute-form  = absolute-URI
#   authority-form = uri-host ":" port
#   asterisk-form  = "*"
#   pchar          = unreserved / pct-encoded / sub-delims / ":" / "@"
#   query          = *( pchar / "/" / "?" )
#   pct-encoded    = "%" HEXDIG HEXDIG
_PCHAR = rb"(?:[-._~A-Za-z0-9!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
ORIGIN_FORM_RE = re.compile(rb"(?:/" + _PCHAR + rb"*)+(?:\?(?:" + _PCHAR + rb"|[/?])*)?")
# The same language, faster: a "/" then pchar/"/"/"?" characters, where every
# "%" starts a pct-encoded triplet (checked separately, only when "%" occurs).
ORIGIN_FORM_FAST_RE = re.compile(rb"/[-._~A-Za-z0-9!$&'()*+,;=:@/?%]*")
BAD_PCT_ENCODING_RE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
#   absolute-URI = scheme ":" hier-part [ "?" query ]
#   scheme       = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
ABSOLUTE_FORM_RE = re.compile(
    rb"[A-Za-z][A-Za-z0-9+.-]*://(?:" + _PCHAR + rb"|[/\[\]])*(?:\?(?:" + _PCHAR + rb"|[/?])*)?"
)
#   uri-host ":" port (reg-name or IP-literal)
AUTHORITY_FORM_RE = re.compile(
    rb"(?:\[[0-9A-Fa-f:.]+\]|(?:[-._~A-Za-z0-9!$&'()*+,;=]|%[0-9A-Fa-f]{2})+):[0-9]{1,5}"
)

# RFC 9112 §7.1
#   chunk-size = 1*HEXDIG
#   chunk-ext  = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
#   chunk-ext-name = token
#   chunk-ext-val  = token / quoted-string
# RFC 9110 §5.6.4
#   quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
#   qdtext        = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
#   quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
# The size is capped at 16 hex digits (a 64-bit length); the line excludes its CRLF.
MAX_CHUNK_SIZE_DIGITS = 16
QUOTED_STRING = rb'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t\x20-\x7e\x80-\xff])*"'
CHUNK_EXT = (
    rb"(?:"
    + OWS
    + rb";"
    + OWS
    + TOKEN
    + rb"(?:"
    + OWS
    + rb"="
    + OWS
    + rb"(?:"
    + TOKEN
    + rb"|"
    + QUOTED_STRING
    + rb"))?)*"
)
CHUNK_SIZE_LINE_RE = re.compile(
    rb"([0-9A-Fa-f]{1," + str(MAX_CHUNK_SIZE_DIGITS).encode() + rb"})" + CHUNK_EXT
)

# RFC 9110 §8.6
#   Content-Length = 1*DIGIT
# Checked in _headers with str.isascii() and str.isdigit() (ASCII digits only), faster
# than a regex on the hot path.

# RFC 9110 §5.6.1 (lists)
#   #element => [ element ] *( OWS "," OWS [ element ] )
LIST_SEPARATOR_RE = re.compile(r"[ \t]*,[ \t]*")
TOKEN_STR_RE = re.compile(r"[-!#$%&'*+.^_`|~0-9A-Za-z]+")

# Outgoing fields (writer): what may never appear in a line, a name or a value.
OUTGOING_FORBIDDEN_RE = re.compile(r"[\r\n\x00]")
OUTGOING_TOKEN_RE = re.compile(r"[-!#$%&'*+.^_`|~0-9A-Za-z]+")
