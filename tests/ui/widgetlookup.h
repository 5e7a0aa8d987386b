#pragma once

#include <QObject>
#include <QString>

#include <cstdio>
#include <cstdlib>

namespace webthreat::test {

// The child of parent of type T named name (its objectName): how tests reach a window's views,
// models and docks. A missing one stops the test with its name rather than a null dereference.
template <typename T>
T* byName(const QObject& parent, const char* name)
{
    T* child = parent.findChild<T*>(QString::fromLatin1(name));
    if (!child) {
        std::fprintf(stderr, "no %s named '%s' under %s\n", T::staticMetaObject.className(), name,
                     qPrintable(parent.objectName()));
        std::abort();
    }
    return child;
}

} // namespace webthreat::test
