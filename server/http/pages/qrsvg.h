#pragma once

#include <QString>

namespace sd::http::pages {

// `text` as a QR code (libqrencode, error correction M) drawn as an inline SVG element: black
// modules as one path, a 4-module quiet zone, no style attribute and no script, so the pages'
// Content-Security-Policy (default-src 'none') lets it show. `label` (HTML-escaped here) names
// the image for screen readers. Empty when the text does not fit a QR code.
QString qrSvg(const QString &text, const QString &label);

} // namespace sd::http::pages
