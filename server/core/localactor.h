#pragma once

#include "vocabulary.h"

namespace sd::core {

// The person behind a local front end: the operating-system user running it (the login name,
// else $USER). Empty when neither is known.
QString localUserName();

// The actor a local front end records: "<program>:<os user>" ("console:alice",
// "cli:bob"), or just "<program>" when the user is not known.
Actor localActor(const QString &program);

} // namespace sd::core
