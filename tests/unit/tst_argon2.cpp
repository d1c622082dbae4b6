// crypto/argon2, our argon2id with SIMD block fill, against libargon2 (the reference code
// Debian ships) and RFC 9106: it must give the same bytes for every input, on every kernel.
#include "crypto/argon2/argon2id.h"
#include "crypto/argon2/blake2b.h"
#include "crypto/passwordhasher.h"

#include <QRandomGenerator>
#include <QTest>
#include <QThread>

#include <argon2.h>
#include <openssl/evp.h>

using namespace Qt::StringLiterals;
namespace a2 = sd::core::argon2;

namespace {

QList<a2::Kernel> supportedKernels()
{
    QList<a2::Kernel> kernels;
    for (auto k : {a2::Kernel::Portable, a2::Kernel::Sse2, a2::Kernel::Avx2})
        if (a2::kernelSupported(k))
            kernels.append(k);
    return kernels;
}

QByteArray randomBytes(QRandomGenerator &rng, int size)
{
    QByteArray out(size, '\0');
    for (char &c : out)
        c = char(rng.bounded(256));
    return out;
}

} // namespace

class TestArgon2 : public QObject
{
    Q_OBJECT

private slots:
    void blake2bMatchesOpenSsl();
    void rfc9106Vector();
    void randomInputsMatchLibargon2();
    void refusesWhatLibargon2Refuses();
    void blockMemoryIsKeptPerThread();
    void libargon2HashesStillVerify();
    void ourHashesVerifyWithLibargon2();
};

void TestArgon2::blake2bMatchesOpenSsl()
{
    QRandomGenerator rng(7);
    for (int size : {0, 1, 63, 127, 128, 129, 255, 256, 257, 1000, 1024, 1031}) {
        const QByteArray data = randomBytes(rng, size);
        unsigned char expected[64];
        unsigned int len = 0;
        QVERIFY(
            EVP_Digest(data.constData(), size_t(size), expected, &len, EVP_blake2b512(), nullptr));
        unsigned char ours[64];
        a2::Blake2b::hash(ours, 64, data.constData(), size_t(size));
        QCOMPARE(QByteArray(reinterpret_cast<char *>(ours), 64),
                 QByteArray(reinterpret_cast<char *>(expected), int(len)));
        // In pieces: the buffering must not change the result.
        a2::Blake2b pieces(64);
        for (int at = 0; at < size; at += 61)
            pieces.update(data.constData() + at, size_t(qMin(61, size - at)));
        pieces.final(ours);
        QCOMPARE(QByteArray(reinterpret_cast<char *>(ours), 64),
                 QByteArray(reinterpret_cast<char *>(expected), int(len)));
    }
}

void TestArgon2::rfc9106Vector()
{
    // RFC 9106 5.3: argon2id, m=32 KiB, t=3, p=4, with a secret and associated data.
    const QByteArray password(32, '\x01'), salt(16, '\x02'), secret(8, '\x03'), ad(12, '\x04');
    const QByteArray expected =
        QByteArray::fromHex("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
    for (a2::Kernel kernel : supportedKernels()) {
        QByteArray tag(32, '\0');
        const a2::Extras extras{secret.constData(), size_t(secret.size()), ad.constData(),
                                size_t(ad.size()), kernel};
        QVERIFY(a2::hashRaw({32, 3, 4}, password.constData(), size_t(password.size()),
                            salt.constData(), size_t(salt.size()), tag.data(), size_t(tag.size()),
                            extras));
        QVERIFY2(tag == expected, a2::kernelName(kernel));
    }
}

void TestArgon2::randomInputsMatchLibargon2()
{
    // Small costs so it runs fast, but every shape: 1 to 4 lanes, memory not a multiple of
    // 4 x lanes, 1 to 3 passes (the xor of later passes), tags shorter and longer than 64
    // bytes (H' chaining), empty passwords, secrets and associated data.
    QRandomGenerator rng(19);
    const QList<a2::Kernel> kernels = supportedKernels();
    for (int n = 0; n < 3000; ++n) {
        const quint32 lanes = 1 + rng.bounded(4);
        const quint32 memory = 8 * lanes + rng.bounded(160);
        const quint32 passes = 1 + rng.bounded(3);
        QByteArray password = randomBytes(rng, rng.bounded(80));
        QByteArray salt = randomBytes(rng, 8 + rng.bounded(40));
        QByteArray secret = randomBytes(rng, rng.bounded(4) == 0 ? rng.bounded(33) : 0);
        QByteArray ad = randomBytes(rng, rng.bounded(4) == 0 ? rng.bounded(33) : 0);
        const int tagSize = 4 + rng.bounded(150);

        QByteArray expected(tagSize, '\0');
        argon2_context ctx{};
        ctx.out = reinterpret_cast<uint8_t *>(expected.data());
        ctx.outlen = uint32_t(tagSize);
        ctx.pwd = reinterpret_cast<uint8_t *>(password.data());
        ctx.pwdlen = uint32_t(password.size());
        ctx.salt = reinterpret_cast<uint8_t *>(salt.data());
        ctx.saltlen = uint32_t(salt.size());
        ctx.secret = secret.isEmpty() ? nullptr : reinterpret_cast<uint8_t *>(secret.data());
        ctx.secretlen = uint32_t(secret.size());
        ctx.ad = ad.isEmpty() ? nullptr : reinterpret_cast<uint8_t *>(ad.data());
        ctx.adlen = uint32_t(ad.size());
        ctx.t_cost = passes;
        ctx.m_cost = memory;
        ctx.lanes = ctx.threads = lanes;
        ctx.version = ARGON2_VERSION_13;
        QCOMPARE(argon2_ctx(&ctx, Argon2_id), int(ARGON2_OK));

        for (a2::Kernel kernel : kernels) {
            QByteArray tag(tagSize, '\0');
            const a2::Extras extras{secret.constData(), size_t(secret.size()), ad.constData(),
                                    size_t(ad.size()), kernel};
            QVERIFY(a2::hashRaw({memory, passes, lanes}, password.constData(),
                                size_t(password.size()), salt.constData(), size_t(salt.size()),
                                tag.data(), size_t(tag.size()), extras));
            if (tag != expected)
                QFAIL(qPrintable(u"%1: m=%2 t=%3 p=%4 tag=%5 differs from libargon2"_s.arg(
                    QLatin1StringView(a2::kernelName(kernel)), QString::number(memory),
                    QString::number(passes), QString::number(lanes), QString::number(tagSize))));
        }
    }
}

void TestArgon2::refusesWhatLibargon2Refuses()
{
    const QByteArray salt(16, 's');
    QByteArray tag(32, '\0');
    const auto ours = [&](a2::Cost cost, size_t saltSize, size_t tagSize) {
        return a2::hashRaw(cost, "pw", 2, salt.constData(), saltSize, tag.data(), tagSize);
    };
    QVERIFY(!ours({7, 1, 1}, 16, 32));  // m < 8 KiB
    QVERIFY(!ours({15, 1, 2}, 16, 32)); // m < 8 KiB per lane
    QVERIFY(!ours({64, 0, 1}, 16, 32)); // no pass
    QVERIFY(!ours({64, 1, 0}, 16, 32)); // no lane
    QVERIFY(!ours({64, 1, 1}, 7, 32));  // salt below 8 bytes
    QVERIFY(!ours({64, 1, 1}, 16, 3));  // tag below 4 bytes
    QVERIFY(ours({16, 1, 2}, 8, 4));
}

void TestArgon2::blockMemoryIsKeptPerThread()
{
    // Each thread keeps one array: the production cost's 19 MiB once, not once per hash, and a
    // cost above the kept limit is released after its hash.
    QThread *thread = QThread::create([] {
        QByteArray tag(32, '\0');
        const auto hash = [&](quint32 memoryKib) {
            return a2::hashRaw({memoryKib, 1, 1}, "pw", 2, "saltsalt", 8, tag.data(), 32);
        };
        QCOMPARE(a2::keptBytesOnThisThread(), size_t(0));
        QVERIFY(hash(19456));
        const size_t kept = a2::keptBytesOnThisThread();
        QVERIFY(kept >= size_t(19456) * 1024 && kept < size_t(22) << 20);
        QVERIFY(hash(1024));
        QVERIFY(hash(19456));
        QCOMPARE(a2::keptBytesOnThisThread(), kept);
        QVERIFY(hash(quint32(a2::kKeptBytes / 1024) + 1024));
        QCOMPARE(a2::keptBytesOnThisThread(), kept);
    });
    thread->start();
    QVERIFY(thread->wait(60000));
    delete thread;
}

void TestArgon2::libargon2HashesStillVerify()
{
    // Hashes stored before this code (libargon2's encoder) keep verifying, canonical or not.
    const sd::core::PasswordHasher hasher({64, 1, 1});
    const QByteArray password = "correct horse battery staple";
    for (quint32 m : {64u, 19456u}) {
        QByteArray encoded(256, '\0');
        QCOMPARE(argon2id_hash_encoded(2, m, 1, password.constData(), size_t(password.size()),
                                       "0123456789abcdef", 16, 32, encoded.data(),
                                       size_t(encoded.size())),
                 int(ARGON2_OK));
        const QString phc = QString::fromLatin1(encoded.constData());
        QVERIFY(hasher.verify(QString::fromLatin1(password), phc));
        QVERIFY(!hasher.verify(u"correct horse battery stapl"_s, phc));
        // Without the version field libargon2 still reads it (as version 0x10): left to it.
        QString noVersion = phc;
        noVersion.replace(u"$v=19"_s, QString());
        QCOMPARE(hasher.verify(QString::fromLatin1(password), noVersion),
                 argon2id_verify(noVersion.toLatin1().constData(), password.constData(),
                                 size_t(password.size())) == ARGON2_OK);
    }
}

void TestArgon2::ourHashesVerifyWithLibargon2()
{
    for (sd::core::Argon2Params cost :
         {sd::core::Argon2Params{64, 1, 1}, {64, 3, 2}, sd::core::Argon2Params::owaspDefaults()}) {
        const sd::core::PasswordHasher hasher(cost);
        const QString phc = hasher.hash(u"pässword"_s);
        const QByteArray pwd = u"pässword"_s.toUtf8();
        QCOMPARE(argon2id_verify(phc.toLatin1().constData(), pwd.constData(), size_t(pwd.size())),
                 int(ARGON2_OK));
        QVERIFY(hasher.verify(u"pässword"_s, phc));
        QVERIFY(!hasher.verify(u"password"_s, phc));
    }
}

QTEST_GUILESS_MAIN(TestArgon2)
#include "tst_argon2.moc"
