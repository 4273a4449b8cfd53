// Symbol visibility for the hunch library. The library is built with
// -fvisibility=hidden; only declarations marked HUNCH_EXPORT are exported.
#ifndef HUNCH_EXPORT_H_
#define HUNCH_EXPORT_H_

#if defined(_WIN32)
#if defined(HUNCH_BUILDING_SHARED)
#define HUNCH_EXPORT __declspec(dllexport)
#elif defined(HUNCH_USING_SHARED)
#define HUNCH_EXPORT __declspec(dllimport)
#else
#define HUNCH_EXPORT
#endif
#else
#define HUNCH_EXPORT __attribute__((visibility("default")))
#endif

#endif  // HUNCH_EXPORT_H_
