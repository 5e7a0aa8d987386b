#include "ui/bundledresources.h"

#include <QtGlobal>

// Q_INIT_RESOURCE must be used outside any namespace.
static void initWebthreatResources()
{
    Q_INIT_RESOURCE(webthreat);
}

namespace webthreat {

void initBundledResources()
{
    static const bool initialised = [] {
        initWebthreatResources();
        return true;
    }();
    (void)initialised;
}

} // namespace webthreat
