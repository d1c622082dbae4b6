#include "qrsvg.h"

#include <qrencode.h>

#include <memory>

using namespace Qt::StringLiterals;

namespace sd::http::pages {

QString qrSvg(const QString &text, const QString &label)
{
    const QByteArray utf8 = text.toUtf8();
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeString(utf8.constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
    if (!code)
        return {};
    constexpr int kQuiet = 4;
    const int width = code->width;
    const int size = width + 2 * kQuiet;
    QString path;
    path.reserve(width * width * 4);
    for (int y = 0; y < width; ++y) {
        for (int x = 0; x < width; ++x) {
            if (code->data[y * width + x] & 1)
                path += u"M%1 %2h1v1h-1z"_s.arg(x + kQuiet).arg(y + kQuiet);
        }
    }
    return u"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %1 %1\" role=\"img\""
           " aria-label=\"%2\" shape-rendering=\"crispEdges\">"
           "<rect width=\"%1\" height=\"%1\" fill=\"#fff\"/>"
           "<path fill=\"#000\" d=\"%3\"/></svg>"_s.arg(size)
               .arg(label.toHtmlEscaped(), path);
}

} // namespace sd::http::pages
