// SPDX-License-Identifier: GPL-2.0
#include "unit_file.hpp"

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace bpfoom::selftests
{

namespace
{

// systemd's PATH for services on a merged-/usr system, plus /sbin:/bin for
// the others (systemd.exec(5), "Environment variables in spawned processes").
constexpr const char *kServicePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string trim(std::string_view text)
{
	const auto begin = text.find_first_not_of(" \t\r\n");
	if (begin == std::string_view::npos)
		return {};
	const auto end = text.find_last_not_of(" \t\r\n");
	return std::string(text.substr(begin, end - begin + 1));
}

bool is_variable_name(std::string_view name)
{
	if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
		return false;
	for (char c : name)
		if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
			return false;
	return true;
}

// systemd resolves specifiers before splitting; the unit must need none but "%%".
std::string resolve_specifiers(std::string_view line)
{
	std::string out;
	for (std::size_t i = 0; i < line.size(); i++) {
		if (line[i] != '%') {
			out += line[i];
			continue;
		}
		if (i + 1 < line.size() && line[i + 1] == '%') {
			out += '%';
			i++;
			continue;
		}
		throw std::runtime_error("unit line uses a specifier the test cannot resolve: " +
					 std::string(line));
	}
	return out;
}

char unescape(char c, std::string_view line)
{
	switch (c) {
	case '\\':
	case '"':
	case '\'':
		return c;
	case 'n':
		return '\n';
	case 't':
		return '\t';
	case 's':
		return ' ';
	default:
		throw std::runtime_error(
		    std::string("unit line uses an escape the test does not know: \\") + c +
		    " in " + std::string(line));
	}
}

} // namespace

std::vector<std::string> split_unit_words(std::string_view line)
{
	std::vector<std::string> words;
	std::size_t i = 0;
	while (true) {
		while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == line.size())
			return words;
		std::string word;
		char quote = 0;
		for (; i < line.size(); i++) {
			const char c = line[i];
			if (quote) {
				if (c == quote)
					quote = 0;
				else if (c == '\\' && quote == '"' && i + 1 < line.size())
					word += unescape(line[++i], line);
				else
					word += c;
			} else if (c == '\'' || c == '"') {
				quote = c;
			} else if (c == '\\' && i + 1 < line.size()) {
				word += unescape(line[++i], line);
			} else if (c == ' ' || c == '\t') {
				break;
			} else {
				word += c;
			}
		}
		if (quote)
			throw std::runtime_error("unbalanced quote in unit line: " +
						 std::string(line));
		words.push_back(word);
	}
}

std::vector<std::string> expand_unit_variables(const std::vector<std::string> &words,
					       const Environment &env)
{
	auto value_of = [&](const std::string &name) {
		auto it = env.find(name);
		return it == env.end() ? std::string() : it->second;
	};
	std::vector<std::string> out;
	for (const auto &word : words) {
		if (word.size() > 1 && word[0] == '$' && is_variable_name(word.substr(1))) {
			std::istringstream parts(value_of(word.substr(1)));
			std::string part;
			while (parts >> part)
				out.push_back(part);
			continue;
		}
		std::string expanded;
		for (std::size_t i = 0; i < word.size(); i++) {
			if (word[i] == '$' && i + 1 < word.size() && word[i + 1] == '$') {
				expanded += '$';
				i++;
			} else if (word[i] == '$' && i + 1 < word.size() && word[i + 1] == '{') {
				const auto close = word.find('}', i + 2);
				if (close == std::string::npos)
					throw std::runtime_error("unterminated ${ in unit word: " +
								 word);
				expanded += value_of(word.substr(i + 2, close - i - 2));
				i = close;
			} else {
				expanded += word[i];
			}
		}
		out.push_back(expanded);
	}
	return out;
}

Environment parse_environment_file(std::string_view text)
{
	Environment env;
	std::istringstream lines{std::string(text)};
	std::string line;
	while (std::getline(lines, line)) {
		line = trim(line);
		if (line.empty() || line[0] == '#' || line[0] == ';')
			continue;
		const auto eq = line.find('=');
		if (eq == std::string::npos)
			throw std::runtime_error("environment file line without '=': " + line);
		const std::string name = trim(line.substr(0, eq));
		std::string value = trim(line.substr(eq + 1));
		if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'') &&
		    value.back() == value[0])
			value = value.substr(1, value.size() - 2);
		if (!is_variable_name(name))
			throw std::runtime_error("environment file assigns a bad name: " + line);
		env[name] = value;
	}
	return env;
}

UnitFile UnitFile::read(const std::filesystem::path &path)
{
	std::ifstream in(path);
	if (!in)
		throw std::runtime_error("cannot read unit file " + path.string());
	std::ostringstream text;
	text << in.rdbuf();
	return parse(text.str());
}

UnitFile UnitFile::parse(std::string_view text)
{
	UnitFile unit;
	std::istringstream lines{std::string(text)};
	std::string raw, section;
	while (std::getline(lines, raw)) {
		std::string line = trim(raw);
		// A trailing backslash continues the line; systemd joins with a blank.
		while (!line.empty() && line.back() == '\\' && std::getline(lines, raw)) {
			line.back() = ' ';
			line += trim(raw);
		}
		if (line.empty() || line[0] == '#' || line[0] == ';')
			continue;
		if (line.front() == '[' && line.back() == ']') {
			section = line.substr(1, line.size() - 2);
			continue;
		}
		const auto eq = line.find('=');
		if (eq == std::string::npos || section.empty())
			throw std::runtime_error("not a unit file assignment: " + line);
		unit.section_key_values_.emplace_back(section + "." + trim(line.substr(0, eq)),
						      trim(line.substr(eq + 1)));
	}
	return unit;
}

std::vector<std::string> UnitFile::values(const std::string &section, const std::string &key) const
{
	std::vector<std::string> found;
	for (const auto &[name, value] : section_key_values_) {
		if (name != section + "." + key)
			continue;
		if (value.empty())
			found.clear();
		else
			found.push_back(value);
	}
	return found;
}

Environment UnitFile::environment() const
{
	Environment env;
	for (const auto &assignments : values("Service", "Environment"))
		for (const auto &word : split_unit_words(resolve_specifiers(assignments))) {
			const auto eq = word.find('=');
			if (eq == std::string::npos)
				throw std::runtime_error("Environment= word without '=': " + word);
			env[word.substr(0, eq)] = word.substr(eq + 1);
		}
	for (auto file : values("Service", "EnvironmentFile")) {
		const bool optional = file[0] == '-';
		if (optional)
			file.erase(0, 1);
		std::ifstream in(file);
		if (!in) {
			if (optional)
				continue;
			throw std::runtime_error("EnvironmentFile " + file + " cannot be read");
		}
		std::ostringstream text;
		text << in.rdbuf();
		for (const auto &[name, value] : parse_environment_file(text.str()))
			env[name] = value;
	}
	return env;
}

std::vector<ExecCommand> UnitFile::commands(const std::string &key, const Environment &env) const
{
	std::vector<ExecCommand> commands;
	for (const auto &line : values("Service", key)) {
		ExecCommand command;
		auto words = split_unit_words(resolve_specifiers(line));
		if (words.empty())
			throw std::runtime_error(key + "= has no command");
		// Prefixes stick to the executable's path: "-/usr/sbin/x".
		std::string &path = words[0];
		for (; !path.empty() && path[0] != '/'; path.erase(0, 1)) {
			if (path[0] == '-')
				command.ignore_failure = true;
			else if (std::string_view("@:+!").find(path[0]) != std::string_view::npos)
				throw std::runtime_error(
				    key + "= uses a prefix the test does not run: " + line);
			else
				throw std::runtime_error(key +
							 "= names no absolute executable: " + line);
		}
		if (path.empty())
			throw std::runtime_error(key + "= names no executable: " + line);
		command.argv = expand_unit_variables(words, env);
		commands.push_back(std::move(command));
	}
	return commands;
}

std::string ExecOutcome::describe() const
{
	std::ostringstream out;
	for (const auto &result : results)
		out << result.describe() << "\n";
	return out.str();
}

ExecOutcome run_exec(const std::vector<ExecCommand> &commands, const Environment &env)
{
	ExecOutcome outcome;
	for (const auto &command : commands) {
		// env(1) gives the clean environment and working directory systemd would.
		std::vector<std::string> argv{"/usr/bin/env", "-i", "-C", "/",
					      std::string("PATH=") + kServicePath};
		for (const auto &[name, value] : env)
			argv.push_back(name + "=" + value);
		argv.insert(argv.end(), command.argv.begin(), command.argv.end());
		outcome.results.push_back(run_command(argv));
		if (outcome.results.back().exit_status != 0 && !command.ignore_failure) {
			outcome.ok = false;
			break;
		}
	}
	return outcome;
}

} // namespace bpfoom::selftests
