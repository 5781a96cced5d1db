// Finds the Java the leakwatch service runs, for the installer (a JScript custom action, run by the
// 64-bit script host): the java.exe named by the JAVA property, else the newest 64-bit Java 17 or
// newer among the machine's JAVA_HOME and PATH, Oracle's registry entries, and the folders that
// Java installers use under Program Files. Sets LEAKWATCH_JAVA to its java.exe, or leaves it empty
// (the launch condition then says what to do). Reads files and the registry only: no Java is
// started here ('service install' then runs the one found with every option the service will
// use, and refuses it if it does not start).
//
// The choice itself (javaCandidates, javaRelease, chooseJava) is plain JScript over the small `host`
// interface below, so src/test runs it under Wine against a fake registry and fake Java folders.

var MIN_JAVA = 17;

// Where Java installers put their Java homes, under Program Files: Eclipse Temurin, Microsoft,
// Oracle, Azul Zulu, Amazon Corretto, BellSoft Liberica, IBM Semeru.
var JAVA_FOLDERS = ["Eclipse Adoptium", "Eclipse Foundation", "Microsoft", "Java", "Zulu", "Amazon Corretto",
    "BellSoft", "Semeru"];
// Oracle's registry entries: the current version, then that version's JavaHome.
var JAVA_REGISTRY = ["SOFTWARE\\JavaSoft\\JDK", "SOFTWARE\\JavaSoft\\JRE"];

// host: { env(name), value(key, name), folders(path), exists(path), read(path) }
// Returns candidate Java homes (no trailing backslash), in the order they were found.
function javaCandidates(host) {
    var homes = [];
    function add(home) {
        if (!home) {
            return;
        }
        home = String(home).replace(/^"|"$/g, "").replace(/[\\\/]+$/, "");
        for (var i = 0; i < homes.length; i++) {
            if (homes[i].toLowerCase() === home.toLowerCase()) {
                return;
            }
        }
        homes.push(home);
    }
    add(host.env("JAVA_HOME"));
    var dirs = (host.env("PATH") || "").split(";");
    for (var d = 0; d < dirs.length; d++) {
        var dir = dirs[d].replace(/^"|"$/g, "").replace(/[\\\/]+$/, "");
        if (/[\\\/]bin$/i.test(dir) && host.exists(dir + "\\java.exe")) {
            add(dir.replace(/[\\\/]bin$/i, ""));
        }
    }
    for (var r = 0; r < JAVA_REGISTRY.length; r++) {
        var current = host.value(JAVA_REGISTRY[r], "CurrentVersion");
        if (current) {
            add(host.value(JAVA_REGISTRY[r] + "\\" + current, "JavaHome"));
        }
    }
    var programFiles = host.env("ProgramW6432") || host.env("ProgramFiles");
    for (var f = 0; f < JAVA_FOLDERS.length; f++) {
        var vendor = programFiles + "\\" + JAVA_FOLDERS[f];
        var folders = host.folders(vendor);
        for (var j = 0; j < folders.length; j++) {
            add(vendor + "\\" + folders[j]);
        }
    }
    return homes;
}

// The `release` file every Java 9+ home has: { major, arch }, or null.
function javaRelease(host, home) {
    var text = host.read(home + "\\release");
    if (!text) {
        return null;
    }
    var version = /^JAVA_VERSION="?([0-9]+)(\.[^"\r\n]*)?"?\s*$/m.exec(text);
    var arch = /^OS_ARCH="?([^"\r\n]*)"?\s*$/m.exec(text);
    if (!version) {
        return null;
    }
    var major = parseInt(version[1], 10);
    if (major === 1 && version[2]) {
        major = parseInt(version[2].substring(1), 10); // 1.8.0_x
    }
    return { major: major, arch: arch ? arch[1].toLowerCase() : "" };
}

function is64Bit(arch) {
    return arch === "x86_64" || arch === "amd64" || arch === "aarch64" || arch === "arm64";
}

// The java.exe to use: the JAVA property's (a java.exe or a Java home) when set, else the newest
// usable candidate; "" when there is none.
function chooseJava(host, given) {
    if (given) {
        var exe = /\.exe"?$/i.test(given) ? given.replace(/^"|"$/g, "") : given.replace(/^"|"$/g, "").replace(/[\\\/]+$/, "") + "\\bin\\java.exe";
        return host.exists(exe) ? exe : "";
    }
    var best = "";
    var bestMajor = 0;
    var homes = javaCandidates(host);
    for (var i = 0; i < homes.length; i++) {
        var exe2 = homes[i] + "\\bin\\java.exe";
        var release = javaRelease(host, homes[i]);
        if (release && release.major >= MIN_JAVA && release.major > bestMajor && is64Bit(release.arch) && host.exists(exe2)) {
            best = exe2;
            bestMajor = release.major;
        }
    }
    return best;
}

// The custom action: Windows Installer calls it with its Session object.
function FindJava() {
    var shell = new ActiveXObject("WScript.Shell");
    var fso = new ActiveXObject("Scripting.FileSystemObject");
    var environment = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment\\";
    var host = {
        // the machine's own JAVA_HOME and PATH, from the registry: the installer's environment may
        // predate a Java installed a moment ago
        env: function (name) {
            if (name === "JAVA_HOME" || name === "PATH") {
                try {
                    return shell.ExpandEnvironmentStrings(shell.RegRead(environment + (name === "PATH" ? "Path" : name)));
                } catch (e) {
                    return "";
                }
            }
            var value = shell.ExpandEnvironmentStrings("%" + name + "%");
            return value === "%" + name + "%" ? "" : value;
        },
        value: function (key, name) {
            try {
                return shell.RegRead("HKLM\\" + key + "\\" + name);
            } catch (e) {
                return "";
            }
        },
        folders: function (path) {
            var names = [];
            try {
                if (fso.FolderExists(path)) {
                    for (var e = new Enumerator(fso.GetFolder(path).SubFolders); !e.atEnd(); e.moveNext()) {
                        names.push(e.item().Name);
                    }
                }
            } catch (error) {
                // a folder that cannot be listed holds no candidate (Wine's script host cannot list any)
            }
            return names;
        },
        exists: function (path) {
            return fso.FileExists(path);
        },
        read: function (path) {
            if (!fso.FileExists(path)) {
                return "";
            }
            var file = fso.OpenTextFile(path, 1);
            try {
                return file.AtEndOfStream ? "" : file.ReadAll();
            } finally {
                file.Close();
            }
        }
    };
    Session.Property("LEAKWATCH_JAVA") = chooseJava(host, Session.Property("JAVA"));
    return 1; // IDOK: a missing Java is the launch condition's to report
}
