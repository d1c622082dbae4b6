#pragma once

#include "result.h"

#include <QSslConfiguration>
#include <QString>

namespace sd::http {

// Loads PEM certificate (chain) and key into a server configuration for TLS ≥ 1.2.
core::Result<QSslConfiguration> loadTlsConfiguration(const QString &certPath,
                                                     const QString &keyPath);

} // namespace sd::http
