#include "filemailer.h"

#include "mime.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QUrl>

#include <sys/stat.h>

#include <utility>

using namespace Qt::StringLiterals;

namespace sd::mail {

namespace {

constexpr qsizetype kMaxBaseName = 160; // well under NAME_MAX (255 bytes) with ".eml"

bool isFileNameSafe(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') ||
           c == u'.' || c == u'_' || c == u'@' || c == u'-';
}

// Only [A-Za-z0-9._@-], never a leading dot (no hidden files, no "..") and a bounded length;
// an overlong id keeps a hash of the whole id so distinct ids stay distinct files.
QString fileBaseName(const QString &messageId)
{
    QString name;
    name.reserve(messageId.size());
    for (const QChar c : messageId)
        name.append(isFileNameSafe(c) ? c : u'_');
    for (qsizetype i = 0; i < name.size() && name.at(i) == u'.'; ++i)
        name[i] = u'_';
    if (name.size() > kMaxBaseName) {
        const QByteArray hash =
            QCryptographicHash::hash(messageId.toUtf8(), QCryptographicHash::Sha256).toHex();
        name = name.left(kMaxBaseName - 17) + u'_' + QString::fromLatin1(hash.left(16));
    }
    return name;
}

SendResult temporaryFailure(const QString &reply)
{
    return {SendResult::Kind::TemporaryFailure, reply};
}

} // namespace

FileMailer::FileMailer(QString folder) : m_folder(std::move(folder)) {}

SendResult FileMailer::send(const Message &message)
{
    const QString baseName = fileBaseName(message.messageId);
    if (baseName.isEmpty())
        return {SendResult::Kind::PermanentFailure, u"message has no Message-ID"_s};

    const QDir folder(QDir(m_folder).absolutePath());
    const auto isFolder = [&folder] { return QFileInfo(folder.absolutePath()).isDir(); };
    if (!isFolder()) {
        const QFileInfo info(folder.absolutePath());
        if (info.exists())
            return temporaryFailure(u"not a folder: "_s + folder.absolutePath());
        QDir parent = info.absoluteDir();
        if (!parent.mkpath(u"."_s))
            return temporaryFailure(u"cannot create folder "_s + parent.absolutePath());
        // Mail holds confirmation links: only the owner may read the folder.
        const auto ownerOnly = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;
        if (!parent.mkdir(info.fileName(), ownerOnly) && !isFolder())
            return temporaryFailure(u"cannot create folder "_s + folder.absolutePath());
    }

    const QString path = folder.absoluteFilePath(baseName + u".eml"_s);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return temporaryFailure(u"cannot write "_s + path + u": "_s + file.errorString());
    // QSaveFile creates its temporary file 0666 & ~umask (or copies the old file's mode):
    // narrow it before a single byte is written.
    if (::fchmod(file.handle(), S_IRUSR | S_IWUSR) != 0) {
        file.cancelWriting();
        return temporaryFailure(u"cannot restrict permissions of "_s + path);
    }
    const QByteArray bytes = renderMime(message);
    if (file.write(bytes) != bytes.size() || !file.commit())
        return temporaryFailure(u"cannot write "_s + path + u": "_s + file.errorString());
    return {SendResult::Kind::Sent, u"written "_s + path};
}

QString FileMailer::describe() const
{
    return QUrl::fromLocalFile(QDir(m_folder).absolutePath()).toString();
}

} // namespace sd::mail
