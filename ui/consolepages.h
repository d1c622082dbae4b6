#pragma once

// The console's list tabs, one file each: ConsolePage (their common frame), UsersPage,
// OutboxPage, AuditPage.
#include "auditpage.h"
#include "consolepage.h"
#include "outboxpage.h"
#include "userspage.h"
