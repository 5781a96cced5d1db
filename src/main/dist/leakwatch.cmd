@echo off
rem leakwatch launcher for Windows: runs leakwatch.jar from this directory.
rem   leakwatch.cmd [flags]                      run in this console (Ctrl+C stops it)
rem   leakwatch.cmd service install [flags]      register the Windows service (elevated prompt)
rem   leakwatch.cmd diagnose                     what each Windows call returned: paste it into an issue
rem Java 17+ is taken from jre\ next to this file (the Kubernetes image ships one), else JAVA_HOME,
rem else PATH. LEAKWATCH_JAVA_OPTS adds JVM options after the
rem defaults below (the same as the Linux launcher's and the service's), so they win.
rem Quote a regex with * or ?: java.exe expands an unquoted svchost.* against the current folder.
setlocal
rem In a subroutine %~dp0 is this script's own folder, even when it was started by a quoted name
rem found on PATH (then %~dp0 out here would be the current folder).
call :home
set "LEAKWATCH_JAVA=java.exe"
rem JAVA_HOME may be set with quotes around it: drop them, the line below adds its own.
if defined JAVA_HOME set "LEAKWATCH_JAVA=%JAVA_HOME:"=%\bin\java.exe"
if exist "%LEAKWATCH_HOME%jre\bin\java.exe" set "LEAKWATCH_JAVA=%LEAKWATCH_HOME%jre\bin\java.exe"
set "LEAKWATCH_DEFAULT_JVM_OPTS=-Xms8m -Xmx64m -Xmn2m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xss512k -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:MaxDirectMemorySize=16m -XX:-UsePerfData -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true"
rem JNA unpacks its DLL into the user's own temp folder (writable for any user, unlike Program Files).
"%LEAKWATCH_JAVA%" %LEAKWATCH_DEFAULT_JVM_OPTS% %LEAKWATCH_JAVA_OPTS% -jar "%LEAKWATCH_HOME%leakwatch.jar" %*
exit /b %ERRORLEVEL%

:home
set "LEAKWATCH_HOME=%~dp0"
exit /b 0
