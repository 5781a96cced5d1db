@echo off
rem leakwatch launcher for Windows: runs leakwatch.jar from this directory.
rem   leakwatch.cmd [flags]                      run in this console (Ctrl+C stops it)
rem   leakwatch.cmd service install [flags]      register the Windows service (elevated prompt)
rem Java 17+ is taken from jre\ next to this file, else JAVA_HOME, else PATH (the container image
rem for Kubernetes ships jre\). LEAKWATCH_JAVA_OPTS adds JVM options.
setlocal
set "LEAKWATCH_HOME=%~dp0"
set "LEAKWATCH_JAVA=java.exe"
if defined JAVA_HOME set "LEAKWATCH_JAVA=%JAVA_HOME%\bin\java.exe"
if exist "%LEAKWATCH_HOME%jre\bin\java.exe" set "LEAKWATCH_JAVA=%LEAKWATCH_HOME%jre\bin\java.exe"
rem JNA unpacks its DLL under jna\ here, not in a per-user temp directory.
"%LEAKWATCH_JAVA%" %LEAKWATCH_JAVA_OPTS% "-Djna.tmpdir=%LEAKWATCH_HOME%jna" -jar "%LEAKWATCH_HOME%leakwatch.jar" %*
exit /b %ERRORLEVEL%
