// The console's translations (translations/signupdesk_console_{fr,de,en}.ts) are complete and
// sound. lupdate, run over ui/ and app/ into a temporary copy of each file, must find nothing
// new, changed or gone: a user-visible string added without its French and German text fails
// here. Every translation keeps its source's placeholders (%1, %n, %v), its tags and its one
// keyboard accelerator; numerus messages have both plural forms.

#include <QDir>
#include <QFile>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace Qt::StringLiterals;

namespace {

struct Message
{
    QString context;
    QString source;
    QString comment;
    bool numerus = false;
    QString type;      // "", "unfinished", "vanished" or "obsolete"
    QStringList forms; // the translation, or its numerus forms
    QString label() const
    {
        return u"[%1] %2%3"_s.arg(context, source,
                                  comment.isEmpty() ? QString() : u" (%1)"_s.arg(comment));
    }
};

QList<Message> readTs(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return {};
    }
    QList<Message> out;
    QString context;
    Message m;
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == u"name"_s) {
            context = xml.readElementText();
        } else if (name == u"message"_s) {
            m = Message{};
            m.context = context;
            m.numerus = xml.attributes().value(u"numerus"_s) == u"yes"_s;
        } else if (name == u"source"_s) {
            m.source = xml.readElementText();
        } else if (name == u"comment"_s) {
            m.comment = xml.readElementText();
        } else if (name == u"translation"_s) {
            m.type = xml.attributes().value(u"type"_s).toString();
            if (m.numerus) {
                while (xml.readNextStartElement())
                    m.forms << xml.readElementText();
            } else {
                m.forms << xml.readElementText();
            }
            out << m;
        }
    }
    if (xml.hasError())
        *error = xml.errorString();
    return out;
}

// CTest sets SD_SOURCE_DIR; run by hand, the tree this was built from.
QString sourceDir()
{
    return qEnvironmentVariable("SD_SOURCE_DIR", QString::fromUtf8(SD_SOURCE_TREE));
}

QString tsPath(const QString &language)
{
    return sourceDir() + u"/translations/signupdesk_console_%1.ts"_s.arg(language);
}

// %1…%99 (also %L1), %n, and QProgressBar's %v and %m: each kept, none added.
QStringList placeholders(const QString &text)
{
    static const QRegularExpression re(u"%(L?[0-9]+|[nvm])"_s);
    QStringList out;
    for (const auto &match : re.globalMatch(text))
        out << match.captured();
    out.removeDuplicates();
    out.sort();
    return out;
}

QStringList tags(const QString &text)
{
    static const QRegularExpression re(u"<[^<>]*>"_s);
    QStringList out;
    for (const auto &match : re.globalMatch(text))
        out << match.captured();
    out.sort();
    return out;
}

// The accelerator markers: '&' not part of "&&".
int accelerators(const QString &text)
{
    int n = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) != u'&')
            continue;
        if (i + 1 < text.size() && text.at(i + 1) == u'&') {
            ++i;
            continue;
        }
        if (i + 1 < text.size() && text.at(i + 1).isLetterOrNumber())
            ++n;
        else
            n += 100; // a '&' before a space or at the end marks nothing
    }
    return n;
}

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

private slots:
    void upToDate_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("fr") << u"fr"_s;
        QTest::newRow("de") << u"de"_s;
        QTest::newRow("en plural forms") << u"en"_s;
    }

    void upToDate()
    {
        QFETCH(QString, language);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString copy = dir.filePath(u"signupdesk_console_%1.ts"_s.arg(language));
        QVERIFY(QFile::copy(tsPath(language), copy));
        QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);

        // As ui/CMakeLists.txt's update_translations does, but keeping what vanished.
        QStringList args{u"-locations"_s, u"none"_s, u"-no-ui-lines"_s};
        if (language == u"en"_s)
            args << u"-pluralonly"_s;
        args << sourceDir() + u"/ui"_s << sourceDir() + u"/app"_s << u"-ts"_s << copy;
        QProcess lupdate;
        lupdate.setProcessChannelMode(QProcess::MergedChannels);
        lupdate.start(QString::fromUtf8(SD_LUPDATE), args);
        QVERIFY2(lupdate.waitForFinished(120'000), qPrintable(lupdate.errorString()));
        const QString output = QString::fromLocal8Bit(lupdate.readAll());
        QVERIFY2(lupdate.exitStatus() == QProcess::NormalExit && lupdate.exitCode() == 0,
                 qPrintable(output));

        QString error;
        const QList<Message> messages = readTs(copy, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!messages.isEmpty());
        QStringList untranslated, gone;
        for (const Message &m : messages) {
            if (m.type == u"unfinished"_s)
                untranslated << m.label();
            else if (m.type == u"vanished"_s || m.type == u"obsolete"_s)
                gone << m.label();
        }
        if (!untranslated.isEmpty() || !gone.isEmpty()) {
            qWarning().noquote() << "lupdate:" << output;
            QString report =
                u"translations/signupdesk_console_%1.ts is out of date "
                "(cmake --build <build> --target update_translations, then translate):"_s.arg(
                    language);
            if (!untranslated.isEmpty())
                report +=
                    u"\n  new or changed, not translated:\n    "_s + untranslated.join(u"\n    "_s);
            if (!gone.isEmpty())
                report += u"\n  no longer in the sources:\n    "_s + gone.join(u"\n    "_s);
            QFAIL(qPrintable(report));
        }
    }

    void translationsSound_data() { upToDate_data(); }

    void translationsSound()
    {
        QFETCH(QString, language);
        QString error;
        const QList<Message> messages = readTs(tsPath(language), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QStringList problems;
        for (const Message &m : messages) {
            if (!m.type.isEmpty()) {
                problems << m.label() + u": marked "_s + m.type;
                continue;
            }
            if (m.numerus && m.forms.size() != 2) // fr, de and en have two plural forms
                problems << m.label() + u": %1 plural forms"_s.arg(m.forms.size());
            if (!m.numerus && m.forms.size() != 1)
                problems << m.label() + u": no translation"_s;
            for (const QString &form : m.forms) {
                if (form.trimmed().isEmpty())
                    problems << m.label() + u": empty"_s;
                if (placeholders(form) != placeholders(m.source))
                    problems << m.label() + u": placeholders %1 in “%2”"_s.arg(
                                                placeholders(form).join(u' '), form);
                if (tags(form) != tags(m.source))
                    problems << m.label() + u": tags changed in “%1”"_s.arg(form);
                if (accelerators(form) != accelerators(m.source))
                    problems << m.label() + u": accelerator lost or doubled in “%1”"_s.arg(form);
            }
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        qInfo("%s: %d messages translated", qPrintable(language), int(messages.size()));
    }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
