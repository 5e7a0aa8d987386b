#pragma once

// The bad-input corpus's expectations (tests/data/bad/EXPECTED.tsv), read once for the reader,
// command-line and window tests so the three agree on one format.
#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>

namespace webthreat::testing {

struct BadCorpusEntry {
    QString file; // name inside tests/data/bad
    bool readerRefuses; // "refuse LINE" rather than "load ROWS"
    int readerValue; // the line refused at, or the rows read
    int exitStatus; // of `webthreat analyze`
    QString message; // text the message or a warning must contain; "-" for none
};

inline QString badCorpusFolder()
{
    return QStringLiteral(WEBTHREAT_TEST_DATA_DIR "/bad");
}

// Empty when the file cannot be read or a line is malformed; tests treat that as a failure.
inline QList<BadCorpusEntry> badCorpusEntries()
{
    QList<BadCorpusEntry> entries;
    QFile expected(badCorpusFolder() + QStringLiteral("/EXPECTED.tsv"));
    if (!expected.open(QIODevice::ReadOnly))
        return {};
    while (!expected.atEnd()) {
        const QString line = QString::fromUtf8(expected.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList fields = line.split(QLatin1Char('\t'));
        const QStringList reader = fields.value(1).split(QLatin1Char(' '));
        if (fields.size() != 4 || reader.size() != 2)
            return {};
        entries.append(
            {fields[0], reader[0] == QLatin1String("refuse"), reader[1].toInt(), fields[2].toInt(), fields[3]});
    }
    return entries;
}

} // namespace webthreat::testing
