#pragma once

#include <QByteArray>
#include <QString>

// A raw email made readable for tests that look for links and codes in it: quoted-printable
// soft line breaks and =XX escapes undone, then read as UTF-8. Lenient on purpose (tst_mime
// has the strict decoder that checks the encoder).
QString decodeMail(const QByteArray &raw);
