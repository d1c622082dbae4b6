// Differential: the edge guard's RequestFramer against QtHttpServer 6.4's own parser (run
// through a real QAbstractHttpServer, see qthttpserverprobe.h) on arbitrary bytes: wherever
// the guard lets bytes through, both split them into the same requests (the rules:
// QtHttpServerProbe::disagreement). The first byte picks how the stream is cut into the
// pieces QtHttpServer reads one at a time (0: whole; else pieces of 1 to 64 bytes), which
// matters to it: it reads some bytes of a chunked body by count, not by looking. The bytes
// reach it through an in-memory socket, and every 64th stream also through a real one.

#include "qthttpserverprobe.h"

#include <QCoreApplication>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

QtHttpServerProbe &probe()
{
    // The replay test's main() has made an application already; libFuzzer's has not.
    static int argc = 1;
    static char name[] = "fuzz_edgediff";
    static char *argv[] = {name, nullptr};
    static QCoreApplication *app =
        QCoreApplication::instance() ? nullptr : new QCoreApplication(argc, argv);
    static QtHttpServerProbe p;
    Q_UNUSED(app);
    return p;
}

// QtHttpServer 6.4 reads a declared body or chunk with QIODevice::read(length), which
// allocates the whole length at once: fed "Content-Length: 2147483650" it asks for 2 GiB. The
// guard refuses any length over server/max_body_bytes before QtHttpServer reads a byte of that
// request (tst_edge), so such numbers never reach it in the server; here, streams holding a
// number that large (8 or more decimal digits, or 7 or more hex digits in a row) are left to
// the framer's own target, fuzz_edgeframing.
bool holdsAHugeNumber(QByteArrayView stream)
{
    qsizetype decimal = 0, hex = 0;
    for (char c : stream) {
        decimal = (c >= '0' && c <= '9') ? decimal + 1 : 0;
        hex = ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) ? hex + 1
                                                                                           : 0;
        if (decimal >= 8 || hex >= 7)
            return true;
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArrayView stream(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    if (holdsAHugeNumber(stream))
        return 0;
    QList<QByteArrayView> pieces;
    quint32 x = 2'166'136'261u ^ data[0];
    for (qsizetype at = 0; at < stream.size();) {
        x = x * 1'103'515'245u + 12'345u;
        const qsizetype piece =
            data[0] == 0 ? stream.size() : qMin<qsizetype>(stream.size() - at, 1 + (x >> 16) % 64);
        pieces.append(stream.sliced(at, piece));
        at += piece;
    }
    using Transport = QtHttpServerProbe::Transport;
    const QByteArray problem = probe().disagreement(pieces, Transport::Memory);
    if (!problem.isEmpty()) {
        std::fprintf(stderr, "the edge guard and QtHttpServer split a stream differently: %s\n",
                     problem.constData());
        std::abort();
    }
    // Now and then the same bytes through a real socket: the in-memory socket must not change
    // what QtHttpServer reads.
    static unsigned n = 0;
    if (n++ % 64 == 0 &&
        probe().parse(pieces, Transport::Memory) != probe().parse(pieces, Transport::SocketPair)) {
        std::fprintf(stderr, "QtHttpServer read the in-memory socket and a real one differently\n");
        std::abort();
    }
    return 0;
}
