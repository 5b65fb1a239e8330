// SIMS CommandReporter turns a column caption into an XML element name the way .NET's
// XmlConvert.EncodeName does: every character not allowed in a name becomes _xHHHH_
// ("Legal Surname" -> "Legal_x0020_Surname", "/" -> "_x002F_"). This undoes it, so the
// mapping can name columns by the caption the admin sees in SIMS.
#pragma once

#include <string>
#include <string_view>

namespace iesync {

std::string decode_caption(std::string_view element_name);

}  // namespace iesync
