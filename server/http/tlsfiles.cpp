#include "tlsfiles.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

namespace sd::http {

core::Result<QSslConfiguration> loadTlsConfiguration(const QString &certPath,
                                                     const QString &keyPath)
{
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(certPath, QSsl::Pem);
    if (chain.isEmpty())
        return core::fail(ErrorCode::Validation,
                          u"server/tls_cert: no PEM certificate in "_s + certPath);
    QFile keyFile(keyPath);
    if (!keyFile.open(QIODevice::ReadOnly))
        return core::fail(ErrorCode::Validation, u"server/tls_key: cannot read "_s + keyPath);
    const QByteArray pem = keyFile.readAll();
    QSslKey key(pem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        return core::fail(ErrorCode::Validation,
                          u"server/tls_key: no RSA or EC PEM private key in "_s + keyPath);
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setLocalCertificateChain(chain);
    c.setPrivateKey(key);
    c.setProtocol(QSsl::TlsV1_2OrLater);
    c.setPeerVerifyMode(QSslSocket::VerifyNone);
    return c;
}

} // namespace sd::http
