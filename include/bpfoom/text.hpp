// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// Untrusted text made safe to show on a terminal: cgroup names, task comms,
// and the inputs that error messages echo.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace bpfoom
{

/*
 * `text` as one line of printable UTF-8 that cannot drive a terminal.
 * Anyone with a delegated cgroup names its children, so a cgroup path is as
 * untrusted as an argument. Valid printable UTF-8 passes through; C0
 * controls (newline included), DEL, C1 controls (U+0080-U+009F, which some
 * terminals obey like ESC) and bytes that are not valid UTF-8 become \xNN.
 * A backslash passes as is: systemd writes '-' in unit names as "\x2d"
 * (system-systemd\x2dfsck.slice), and an operator must be able to paste a
 * listed path back into bpfoom. The cost is that a name holding a literal
 * "\x1b" and one holding ESC look alike; neither can drive the terminal.
 *
 * If `text` is longer than `max_bytes`, only its first `max_bytes` bytes
 * (cut at a character boundary) are shown, followed by "...(N bytes)", N
 * being the length of the whole text.
 */
std::string escape(std::string_view text, std::size_t max_bytes = std::string_view::npos);

/*
 * An input echoed in an error message: 'escape(input, 256)'. A path of
 * 100,000 bytes is then named in a few hundred.
 */
std::string quote(std::string_view input);

/*
 * A whole message (an Error's what()) made one bounded line, as escape()
 * makes it; messages longer than 4096 bytes are cut as escape() cuts them.
 */
std::string one_line(std::string_view message);

/* The number of characters (code points) in valid UTF-8, e.g. escape()'s result: its width. */
std::size_t display_width(std::string_view utf8);

} // namespace bpfoom
