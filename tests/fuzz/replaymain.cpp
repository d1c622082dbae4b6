// Runs a fuzz target over every file of its corpus (SD_FUZZ_CORPUS), once: the regression
// half of fuzzing, in ordinary builds without libFuzzer. A crash fails the test.

#include <QCoreApplication>
#include <QDirIterator>
#include <QFile>

#include <cstdint>
#include <cstdio>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QString corpus = qEnvironmentVariable("SD_FUZZ_CORPUS");
    int inputs = 0;
    QDirIterator it(corpus, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        if (!f.open(QIODevice::ReadOnly))
            return 2;
        const QByteArray data = f.readAll();
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(data.constData()),
                               size_t(data.size()));
        ++inputs;
    }
    std::printf("replayed %d inputs from %s\n", inputs, qPrintable(corpus));
    return inputs > 0 ? 0 : 1; // an empty corpus means the test looked in the wrong place
}
