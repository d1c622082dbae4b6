#pragma once

#include <QString>

#include <expected>
#include <optional>

// The one rule for names and text a person gives us, wherever it is accepted (API signup, the
// email-link login form, OAuth accounts, the CLI, and any later place): SECURITY.md "Names and
// text". Every entry point calls these; none keeps a character list of its own.
namespace sd::core::names {

// Characters (code points) after NFC, not UTF-16 units.
inline constexpr qsizetype kMaxDisplayNameLength = 128;

// A display name typed by a person: trimmed and NFC-normalised, then either the value to store
// or the reason it is refused ("too_long", "invalid_characters"). Empty is a valid, absent name.
// Refused anywhere in it: control characters (C0, C1), format characters (bidi controls and
// marks, BOM, soft hyphen, invisible operators, tags, …), line and paragraph separators,
// unpaired surrogates, noncharacters, and the other code points that render as nothing
// (Hangul fillers, CGJ, …). Two exceptions where scripts and emoji need them: ZWNJ/ZWJ between
// two visible characters, and a variation selector right after a visible character.
std::expected<QString, QString> checkDisplayName(const QString &typed);

// A name that did not come from the person typing it (an OAuth provider's profile, a stored value
// put back into a form): the refused characters dropped (line breaks and tabs become spaces), the
// rest normalised and cut to the limit. The result always passes checkDisplayName unchanged, so
// such a name can never make an account's forms unusable.
QString sanitizedDisplayName(const QString &foreign);

// What reserved usernames are compared by: NFKC, case-folded, and without the separators `.`,
// `_` and `-` anywhere, so `Admin`, `admin.`, `_admin_`, `ad-min` and `ａｄｍｉｎ` all give
// `admin`.
QString reservedNameKey(const QString &name);

// A C0 or C1 control character (NUL, tab, line feeds, DEL, …) anywhere in `text`.
bool hasControlCharacters(QStringView text);

// Well-formed UTF-16: no unpaired surrogate (what a JSON "\ud800" escape leaves in a QString).
bool isValidUnicode(QStringView text);

// Strict UTF-8: nothing for a malformed sequence, an overlong form or an encoded surrogate
// (never U+FFFD in their place, which would make different inputs equal).
std::optional<QString> decodeUtf8Strictly(QByteArrayView bytes);

} // namespace sd::core::names
