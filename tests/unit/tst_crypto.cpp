#include "crypto/crypto.h"
#include "crypto/tokendigest.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <array>
#include <thread>

using namespace Qt::StringLiterals;
namespace crypto = sd::core::crypto;
using sd::core::TokenDigest;

class TestCrypto : public QObject
{
    Q_OBJECT

private slots:
    void newTokenIs32BytesBase64Url();
    void newTokensAreUnique();
    void newIdHasPrefixAnd128Bits();
    void sixDigitCodes();
    void hmacSha256Rfc4231_data();
    void hmacSha256Rfc4231();
    void hmacSha256KeysInTurnAndThreads();
    void sha256KnownAnswer();
    void constantTimeEquals_data();
    void constantTimeEquals();
    void base64UrlRoundTrip_data();
    void base64UrlRoundTrip();
    void base64UrlRejectsGarbage_data();
    void base64UrlRejectsGarbage();
    void digestIsStablePerKey();
    void codeDigestIsBoundToToken();
    void signatureVerifies();
    void signatureFailsOnAnyChangedByte();
};

void TestCrypto::newTokenIs32BytesBase64Url()
{
    static const QRegularExpression alphabet(u"^[A-Za-z0-9_-]{43}$"_s);
    for (int i = 0; i < 100; ++i) {
        const QString token = crypto::newToken();
        QCOMPARE(token.size(), 43);
        QVERIFY2(alphabet.match(token).hasMatch(), qPrintable(token));
        bool ok = false;
        const QByteArray raw = crypto::fromBase64Url(token, &ok);
        QVERIFY(ok);
        QCOMPARE(raw.size(), 32);
        QCOMPARE(crypto::base64Url(raw), token);
    }
}

void TestCrypto::newTokensAreUnique()
{
    constexpr int count = 10'000;
    QSet<QString> seen;
    seen.reserve(count);
    for (int i = 0; i < count; ++i)
        seen.insert(crypto::newToken());
    QCOMPARE(seen.size(), count);
}

void TestCrypto::newIdHasPrefixAnd128Bits()
{
    const QString id = crypto::newId(u"usr_");
    QVERIFY(id.startsWith(u"usr_"_s));
    bool ok = false;
    QCOMPARE(crypto::fromBase64Url(id.mid(4), &ok).size(), 16);
    QVERIFY(ok);
    QVERIFY(crypto::newId(u"usr_") != id);
}

void TestCrypto::sixDigitCodes()
{
    // First digits of uniform codes: each ~Binomial(20000, 0.1), sd ≈ 42. A band of ±400 only
    // fails for a biased generator (e.g. no leading zeros, or modulo bias towards low digits).
    constexpr int samples = 20'000;
    std::array<int, 10> firstDigit{};
    QSet<QString> distinct;
    static const QRegularExpression sixDigits(u"^[0-9]{6}$"_s);
    for (int i = 0; i < samples; ++i) {
        const QString code = crypto::newSixDigitCode();
        QVERIFY2(sixDigits.match(code).hasMatch(), qPrintable(code));
        ++firstDigit[size_t(code.at(0).digitValue())];
        distinct.insert(code);
    }
    for (int d = 0; d < 10; ++d) {
        QVERIFY2(firstDigit[size_t(d)] > samples / 10 - 400 &&
                     firstDigit[size_t(d)] < samples / 10 + 400,
                 qPrintable(u"digit %1 came first %2 times of %3"_s.arg(d)
                                .arg(firstDigit[size_t(d)])
                                .arg(samples)));
    }
    // 20,000 draws from 10^6 codes: ~200 expected collisions; far fewer distinct means a weak
    // source.
    QVERIFY2(distinct.size() > samples - 600, qPrintable(QString::number(distinct.size())));
}

void TestCrypto::hmacSha256Rfc4231_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("expectedHex");

    QByteArray key4;
    for (char c = 0x01; c <= 0x19; ++c)
        key4.append(c);
    QTest::newRow("case 1")
        << QByteArray(20, '\x0b') << QByteArray("Hi There")
        << QByteArray("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    QTest::newRow("case 2")
        << QByteArray("Jefe") << QByteArray("what do ya want for nothing?")
        << QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    QTest::newRow("case 3")
        << QByteArray(20, '\xaa') << QByteArray(50, '\xdd')
        << QByteArray("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    QTest::newRow("case 4")
        << key4 << QByteArray(50, '\xcd')
        << QByteArray("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    QTest::newRow("case 6 (key longer than a block)")
        << QByteArray(131, '\xaa')
        << QByteArray("Test Using Larger Than Block-Size Key - Hash Key First")
        << QByteArray("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    QTest::newRow("case 7 (key and data longer than a block)")
        << QByteArray(131, '\xaa')
        << QByteArray(
               "This is a test using a larger than block-size key and a larger than block-size "
               "data. The key needs to be hashed before being used by the HMAC algorithm.")
        << QByteArray("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

void TestCrypto::hmacSha256Rfc4231()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, expectedHex);
    const QByteArray mac = crypto::hmacSha256(key, data);
    QCOMPARE(mac.size(), 32);
    QCOMPARE(mac.toHex(), expectedHex);
}

// hmacSha256 keeps a keyed context per thread: the same key again, another key, an empty key
// and back, on several threads at once, must all give the RFC 4231 answers.
void TestCrypto::hmacSha256KeysInTurnAndThreads()
{
    struct Case
    {
        QByteArray key, data, hex;
    };
    const std::array<Case, 3> cases{{
        {QByteArray("Jefe"), QByteArray("what do ya want for nothing?"),
         QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")},
        {QByteArray(20, '\x0b'), QByteArray("Hi There"),
         QByteArray("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")},
        {QByteArray(), QByteArray(),
         QByteArray("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")},
    }};
    const auto round = [&cases](int salt) {
        int wrong = 0;
        for (int i = 0; i < 300; ++i) {
            const Case &c = cases[size_t((i * 7 + salt) % 5 % 3)]; // repeats and switches
            if (crypto::hmacSha256(c.key, c.data).toHex() != c.hex)
                ++wrong;
        }
        return wrong;
    };
    QCOMPARE(round(0), 0);
    std::array<int, 4> wrong{};
    std::array<std::thread, 4> threads;
    for (size_t t = 0; t < threads.size(); ++t)
        threads[t] = std::thread([&, t] { wrong[t] = round(int(t)); });
    for (std::thread &t : threads)
        t.join();
    QCOMPARE(wrong, (std::array<int, 4>{}));
}

void TestCrypto::sha256KnownAnswer()
{
    QCOMPARE(crypto::sha256("abc").toHex(),
             QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(crypto::sha256({}).toHex(),
             QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

void TestCrypto::constantTimeEquals_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");

    const QByteArray secret = QByteArray::fromHex("00112233445566778899aabbccddeeff");
    QByteArray firstDiffers = secret;
    firstDiffers[0] = '\x01';
    QByteArray lastDiffers = secret;
    lastDiffers[secret.size() - 1] = '\xfe';
    QTest::newRow("same") << secret << QByteArray(secret) << true;
    QTest::newRow("first byte differs") << secret << firstDiffers << false;
    QTest::newRow("last byte differs") << secret << lastDiffers << false;
    QTest::newRow("prefix") << secret << secret.left(15) << false;
    QTest::newRow("longer") << secret << secret + '\0' << false;
    QTest::newRow("both empty") << QByteArray() << QByteArray("") << true;
    QTest::newRow("empty vs not") << QByteArray() << secret << false;
    QTest::newRow("embedded NUL") << QByteArray("a\0b", 3) << QByteArray("a\0c", 3) << false;
}

void TestCrypto::constantTimeEquals()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);
    QCOMPARE(crypto::constantTimeEquals(a, b), equal);
    QCOMPARE(crypto::constantTimeEquals(b, a), equal);
}

void TestCrypto::base64UrlRoundTrip_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("encoded");

    QTest::newRow("empty") << QByteArray() << QString();
    QTest::newRow("1 byte") << QByteArray("f") << u"Zg"_s;
    QTest::newRow("2 bytes") << QByteArray("fo") << u"Zm8"_s;
    QTest::newRow("3 bytes") << QByteArray("foo") << u"Zm9v"_s;
    // 0xfb 0xff encodes to "+/" in standard base64: url-safe must give "-_".
    QTest::newRow("url alphabet") << QByteArray::fromHex("fbffbf") << u"-_-_"_s;
    QTest::newRow("all zero") << QByteArray(5, '\0') << u"AAAAAAA"_s;
    QByteArray all;
    for (int i = 0; i < 256; ++i)
        all.append(char(i));
    QTest::newRow("every byte value") << all << QString();
}

void TestCrypto::base64UrlRoundTrip()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, encoded);
    const QString text = crypto::base64Url(bytes);
    if (!encoded.isNull())
        QCOMPARE(text, encoded);
    QVERIFY(!text.contains(u'='));
    QVERIFY(!text.contains(u'+'));
    QVERIFY(!text.contains(u'/'));
    bool ok = false;
    QCOMPARE(crypto::fromBase64Url(text, &ok), bytes);
    QVERIFY(ok);
}

void TestCrypto::base64UrlRejectsGarbage_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("standard alphabet") << u"+/+/"_s;
    QTest::newRow("space") << u"Zm9v Zm9v"_s;
    QTest::newRow("punctuation") << u"Zm9v!"_s;
    QTest::newRow("non-ASCII") << u"Zm9vé"_s;
}

void TestCrypto::base64UrlRejectsGarbage()
{
    QFETCH(QString, text);
    bool ok = true;
    QCOMPARE(crypto::fromBase64Url(text, &ok), QByteArray());
    QVERIFY(!ok);
}

void TestCrypto::digestIsStablePerKey()
{
    const QByteArray key = crypto::randomBytes(32);
    const TokenDigest one(key);
    const TokenDigest sameKey(key);
    const TokenDigest otherKey(crypto::randomBytes(32));
    const QString token = crypto::newToken();

    const QString d = one.digest(token);
    static const QRegularExpression hex(u"^[0-9a-f]{64}$"_s);
    QVERIFY2(hex.match(d).hasMatch(), qPrintable(d));
    QCOMPARE(one.digest(token), d);
    QCOMPARE(sameKey.digest(token), d);
    QVERIFY(otherKey.digest(token) != d);
    QVERIFY(one.digest(crypto::newToken()) != d);
    QVERIFY(!d.contains(token)); // never the raw token
    // It is a keyed MAC, not a bare hash of the token.
    QVERIFY(d != QString::fromLatin1(crypto::sha256(token.toUtf8()).toHex()));
}

void TestCrypto::codeDigestIsBoundToToken()
{
    const TokenDigest digest(crypto::randomBytes(32));
    const QString a = digest.codeDigest(u"tok_a"_s, u"123456"_s);
    QCOMPARE(digest.codeDigest(u"tok_a"_s, u"123456"_s), a);
    QVERIFY(digest.codeDigest(u"tok_b"_s, u"123456"_s) != a);
    QVERIFY(digest.codeDigest(u"tok_a"_s, u"123457"_s) != a);
    QVERIFY(TokenDigest(crypto::randomBytes(32)).codeDigest(u"tok_a"_s, u"123456"_s) != a);
}

void TestCrypto::signatureVerifies()
{
    const QByteArray key = crypto::randomBytes(32);
    const TokenDigest digest(key);
    const QString payload = u"usr_abc|1700000000|pending_verification"_s;
    const QString signature = digest.sign(payload);
    bool ok = false;
    QCOMPARE(crypto::fromBase64Url(signature, &ok).size(), 32);
    QVERIFY(ok);
    QCOMPARE(digest.sign(payload), signature);
    QVERIFY(digest.verifySignature(payload, signature));
    QVERIFY(TokenDigest(key).verifySignature(payload, signature));
    QVERIFY(!TokenDigest(crypto::randomBytes(32)).verifySignature(payload, signature));
    QVERIFY(!digest.verifySignature(payload, QString()));
    QVERIFY(!digest.verifySignature(payload, u"not base64 at all!"_s));
    QVERIFY(!digest.verifySignature(payload, signature.left(42)));
    QVERIFY(!digest.verifySignature(payload, signature + u"AA"_s));
    QVERIFY(!digest.verifySignature(QString(), signature));
}

void TestCrypto::signatureFailsOnAnyChangedByte()
{
    const TokenDigest digest(crypto::randomBytes(32));
    const QByteArray payload = "usr_abc|1700000000|pending_verification";
    const QString signature = digest.sign(QString::fromLatin1(payload));
    QVERIFY(digest.verifySignature(QString::fromLatin1(payload), signature));

    const QByteArray raw = crypto::fromBase64Url(signature);
    for (qsizetype i = 0; i < raw.size(); ++i) {
        for (const char flip : {'\x01', '\x80'}) {
            QByteArray changed = raw;
            changed[i] = char(changed[i] ^ flip);
            QVERIFY2(
                !digest.verifySignature(QString::fromLatin1(payload), crypto::base64Url(changed)),
                qPrintable(u"signature byte %1 changed"_s.arg(i)));
        }
    }
    for (qsizetype i = 0; i < payload.size(); ++i) {
        QByteArray changed = payload;
        changed[i] = char(changed[i] ^ 0x01);
        QVERIFY2(!digest.verifySignature(QString::fromLatin1(changed), signature),
                 qPrintable(u"payload byte %1 changed"_s.arg(i)));
    }
}

QTEST_GUILESS_MAIN(TestCrypto)
#include "tst_crypto.moc"
