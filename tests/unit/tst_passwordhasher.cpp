#include "crypto/passwordhasher.h"

#include <QRegularExpression>
#include <QTest>

#include <argon2.h>

using namespace Qt::StringLiterals;
using sd::core::Argon2Params;
using sd::core::PasswordHasher;

namespace {

// Cheap enough that the whole suite hashes in milliseconds; argon2 allows m >= 8 KiB per lane.
constexpr Argon2Params kCheap{64, 1, 1};

struct Phc
{
    quint32 m = 0, t = 0, p = 0;
    QByteArray salt, tag;
};

// An independent reader of "$argon2id$v=19$m=…,t=…,p=…$salt$hash" (standard base64, no padding).
std::optional<Phc> parsePhc(const QString &phc)
{
    static const QRegularExpression re(
        u"^\\$argon2id\\$v=19\\$m=(\\d+),t=(\\d+),p=(\\d+)\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)$"_s);
    const auto match = re.match(phc);
    if (!match.hasMatch())
        return std::nullopt;
    const auto salt = QByteArray::fromBase64Encoding(match.captured(4).toLatin1(),
                                                     QByteArray::AbortOnBase64DecodingErrors);
    const auto tag = QByteArray::fromBase64Encoding(match.captured(5).toLatin1(),
                                                    QByteArray::AbortOnBase64DecodingErrors);
    if (!salt || !tag)
        return std::nullopt;
    return Phc{match.captured(1).toUInt(), match.captured(2).toUInt(), match.captured(3).toUInt(),
               salt.decoded, tag.decoded};
}

} // namespace

class TestPasswordHasher : public QObject
{
    Q_OBJECT

private slots:
    void hashIsPhcWithParams_data();
    void hashIsPhcWithParams();
    void verifyRightAndWrong_data();
    void verifyRightAndWrong();
    void saltsDiffer();
    void hashesUtf8();
    void longPasswordsDifferingInLastCharacter();
    void malformedHashNeverVerifies_data();
    void malformedHashNeverVerifies();
    void needsRehash_data();
    void needsRehash();
    void hashCountCountsEveryComputation();
    void productionCostIsOwasp();
};

void TestPasswordHasher::hashIsPhcWithParams_data()
{
    QTest::addColumn<quint32>("m");
    QTest::addColumn<quint32>("t");
    QTest::addColumn<quint32>("p");
    QTest::newRow("m=64,t=1,p=1") << 64u << 1u << 1u;
    QTest::newRow("m=128,t=3,p=1") << 128u << 3u << 1u;
    QTest::newRow("m=64,t=2,p=2") << 64u << 2u << 2u;
}

void TestPasswordHasher::hashIsPhcWithParams()
{
    QFETCH(quint32, m);
    QFETCH(quint32, t);
    QFETCH(quint32, p);
    const PasswordHasher hasher(Argon2Params{m, t, p});
    QCOMPARE(hasher.params().memoryKib, m);
    const QString password = u"correct-horse-battery"_s;
    const QString phc = hasher.hash(password);

    const auto parsed = parsePhc(phc);
    QVERIFY2(parsed, qPrintable(phc));
    QCOMPARE(parsed->m, m);
    QCOMPARE(parsed->t, t);
    QCOMPARE(parsed->p, p);
    QCOMPARE(parsed->salt.size(), 16);
    QCOMPARE(parsed->tag.size(), 32);
    QVERIFY(!phc.contains(password));

    // Recompute the tag with libargon2 directly: the string really is argon2id of the UTF-8
    // password under that salt and those parameters.
    const QByteArray pwd = password.toUtf8();
    QByteArray expected(32, '\0');
    QCOMPARE(argon2id_hash_raw(t, m, p, pwd.constData(), size_t(pwd.size()),
                               parsed->salt.constData(), size_t(parsed->salt.size()),
                               expected.data(), size_t(expected.size())),
             int(ARGON2_OK));
    QCOMPARE(parsed->tag.toHex(), expected.toHex());

    const auto params = Argon2Params::fromPhc(phc);
    QVERIFY(params);
    QCOMPARE(params->memoryKib, m);
    QCOMPARE(params->iterations, t);
    QCOMPARE(params->parallelism, p);
}

void TestPasswordHasher::verifyRightAndWrong_data()
{
    QTest::addColumn<QString>("attempt");
    QTest::addColumn<bool>("matches");
    QTest::newRow("right") << u"Tr0ub4dor&3-zebra"_s << true;
    QTest::newRow("wrong") << u"Tr0ub4dor&3-zebrb"_s << false;
    QTest::newRow("case differs") << u"tr0ub4dor&3-zebra"_s << false;
    QTest::newRow("prefix") << u"Tr0ub4dor&3-zebr"_s << false;
    QTest::newRow("trailing space") << u"Tr0ub4dor&3-zebra "_s << false;
    QTest::newRow("empty") << QString() << false;
}

void TestPasswordHasher::verifyRightAndWrong()
{
    QFETCH(QString, attempt);
    QFETCH(bool, matches);
    const PasswordHasher hasher(kCheap);
    const QString phc = hasher.hash(u"Tr0ub4dor&3-zebra"_s);
    QCOMPARE(hasher.verify(attempt, phc), matches);
}

void TestPasswordHasher::saltsDiffer()
{
    const PasswordHasher hasher(kCheap);
    const QString a = hasher.hash(u"same password twice"_s);
    const QString b = hasher.hash(u"same password twice"_s);
    QVERIFY(a != b);
    QVERIFY(parsePhc(a)->salt != parsePhc(b)->salt);
    QVERIFY(hasher.verify(u"same password twice"_s, a));
    QVERIFY(hasher.verify(u"same password twice"_s, b));
}

void TestPasswordHasher::hashesUtf8()
{
    const PasswordHasher hasher(kCheap);
    const QString password = u"pässwörd–日本語😀"_s;
    const QString phc = hasher.hash(password);
    QVERIFY(hasher.verify(password, phc));
    // Decomposed "ä" (a + U+0308) is another string: no silent normalisation or Latin-1 loss.
    QVERIFY(!hasher.verify(u"pa\u0308sswörd–日本語😀"_s, phc));
    QVERIFY(!hasher.verify(u"p?ssw?rd–???😀"_s, phc));
    QVERIFY(!hasher.verify(u"pässwörd–日本語😁"_s, phc));

    // The bytes hashed are UTF-8.
    const auto parsed = parsePhc(phc);
    QVERIFY(parsed);
    const QByteArray utf8 = password.toUtf8();
    QByteArray expected(32, '\0');
    QCOMPARE(argon2id_hash_raw(kCheap.iterations, kCheap.memoryKib, kCheap.parallelism,
                               utf8.constData(), size_t(utf8.size()), parsed->salt.constData(),
                               size_t(parsed->salt.size()), expected.data(),
                               size_t(expected.size())),
             int(ARGON2_OK));
    QCOMPARE(parsed->tag.toHex(), expected.toHex());
}

void TestPasswordHasher::longPasswordsDifferingInLastCharacter()
{
    const PasswordHasher hasher(kCheap);
    const QString a = QString(255, u'x') + u'a';
    const QString b = QString(255, u'x') + u'b';
    QCOMPARE(a.size(), 256);
    const QString phc = hasher.hash(a);
    QVERIFY(hasher.verify(a, phc));
    QVERIFY(!hasher.verify(b, phc));
    QVERIFY(!hasher.verify(a.left(255), phc));
}

void TestPasswordHasher::malformedHashNeverVerifies_data()
{
    QTest::addColumn<QString>("phc");
    QTest::newRow("empty") << QString();
    QTest::newRow("garbage") << u"not a hash"_s;
    QTest::newRow("argon2i") << u"$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$"
                                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"_s;
    QTest::newRow("truncated") << u"$argon2id$v=19$m=64,t=1,p=1$"_s;
}

void TestPasswordHasher::malformedHashNeverVerifies()
{
    QFETCH(QString, phc);
    const PasswordHasher hasher(kCheap);
    QVERIFY(!hasher.verify(u"whatever password"_s, phc));
    QVERIFY(!hasher.verify(QString(), phc));
    QVERIFY(hasher.needsRehash(phc));
}

void TestPasswordHasher::needsRehash_data()
{
    QTest::addColumn<quint32>("m");
    QTest::addColumn<quint32>("t");
    QTest::addColumn<quint32>("p");
    QTest::addColumn<bool>("rehash");
    // The stored hash is made with m=128,t=2,p=1.
    QTest::newRow("same cost") << 128u << 2u << 1u << false;
    QTest::newRow("more memory") << 256u << 2u << 1u << true;
    QTest::newRow("more iterations") << 128u << 3u << 1u << true;
    QTest::newRow("more lanes") << 128u << 2u << 2u << true;
    QTest::newRow("less memory") << 64u << 2u << 1u << false;
    QTest::newRow("fewer iterations") << 128u << 1u << 1u << false;
}

void TestPasswordHasher::needsRehash()
{
    QFETCH(quint32, m);
    QFETCH(quint32, t);
    QFETCH(quint32, p);
    QFETCH(bool, rehash);
    const QString stored = PasswordHasher(Argon2Params{128, 2, 1}).hash(u"some password"_s);
    const PasswordHasher configured(Argon2Params{m, t, p});
    QCOMPARE(configured.needsRehash(stored), rehash);
    // The old hash still verifies under the new configuration: rehash happens at login.
    QVERIFY(configured.verify(u"some password"_s, stored));
}

void TestPasswordHasher::hashCountCountsEveryComputation()
{
    const PasswordHasher hasher(kCheap);
    QCOMPARE(hasher.hashCount(), quint64(0)); // the dummy hash made at construction does not count
    const QString phc = hasher.hash(u"counted password"_s);
    QCOMPARE(hasher.hashCount(), quint64(1));
    QVERIFY(hasher.verify(u"counted password"_s, phc));
    QCOMPARE(hasher.hashCount(), quint64(2));
    QVERIFY(!hasher.verify(u"wrong password!"_s, phc));
    QCOMPARE(hasher.hashCount(), quint64(3));
    QVERIFY(!hasher.verifyDummy(u"counted password"_s));
    QCOMPARE(hasher.hashCount(), quint64(4));
    QVERIFY(!hasher.verifyDummy(QString()));
    QCOMPARE(hasher.hashCount(), quint64(5));
    QVERIFY(!hasher.needsRehash(phc));
    QCOMPARE(hasher.hashCount(), quint64(5)); // parsing parameters computes nothing
}

void TestPasswordHasher::productionCostIsOwasp()
{
    const Argon2Params defaults = Argon2Params::owaspDefaults();
    QCOMPARE(defaults.memoryKib, 19456u);
    QCOMPARE(defaults.iterations, 2u);
    QCOMPARE(defaults.parallelism, 1u);

    // One real hash at full cost.
    const PasswordHasher hasher;
    QCOMPARE(hasher.params().memoryKib, 19456u);
    const QString phc = hasher.hash(u"production cost"_s);
    QVERIFY2(phc.startsWith(u"$argon2id$v=19$m=19456,t=2,p=1$"_s), qPrintable(phc));
    const auto parsed = Argon2Params::fromPhc(phc);
    QVERIFY(parsed);
    QCOMPARE(parsed->memoryKib, 19456u);
    QCOMPARE(parsed->iterations, 2u);
    QCOMPARE(parsed->parallelism, 1u);
    QVERIFY(!hasher.needsRehash(phc));
    QVERIFY(hasher.needsRehash(PasswordHasher(kCheap).hash(u"production cost"_s)));
}

QTEST_GUILESS_MAIN(TestPasswordHasher)
#include "tst_passwordhasher.moc"
