// Debian ships Boost.JSON and Boost.URL as headers only; their compiled parts are built
// once here, from Debian's own headers, and linked as the Boost::json / Boost::url targets.
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
