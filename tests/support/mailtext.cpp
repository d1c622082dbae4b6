#include "mailtext.h"

#include <cctype>

QString decodeMail(const QByteArray &raw)
{
    QByteArray s = raw;
    s.replace("=\r\n", "");
    QByteArray out;
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (s[i] == '=' && i + 2 < s.size() && std::isxdigit(uchar(s[i + 1])) &&
            std::isxdigit(uchar(s[i + 2]))) {
            out.append(char(s.mid(i + 1, 2).toInt(nullptr, 16)));
            i += 2;
        } else {
            out.append(s[i]);
        }
    }
    return QString::fromUtf8(out);
}
