#Requires -Version 7
<#
  A Windows Java runtime for leakwatch, made by jlink from the JDK that runs it, for the MSI with Java
  inside (src/main/msi/build-msi.sh puts it in the package). The modules are those jdeps finds in
  leakwatch.jar, and those it cannot see: elliptic-curve TLS and Flight Recorder (/debug/).
#>
param([string] $Output = 'target/jre')
. "$PSScriptRoot/common.ps1"
mvn -B -ntp package -DskipTests
Assert-True ($LASTEXITCODE -eq 0) 'mvn package'
$modules = ((& jdeps --multi-release 17 --print-module-deps --ignore-missing-deps target/leakwatch.jar) -join '').Trim()
Assert-True ($LASTEXITCODE -eq 0 -and $modules) "jdeps: $modules"
$modules = "$modules,jdk.crypto.ec,jdk.jfr"
Remove-Item -Recurse -Force $Output -ErrorAction SilentlyContinue
& jlink --add-modules $modules --strip-debug --no-header-files --no-man-pages --output $Output
Assert-True ($LASTEXITCODE -eq 0) "jlink --add-modules $modules"
Get-Content (Join-Path $Output 'release')
& (Join-Path $Output 'bin/java.exe') -jar target/leakwatch.jar --version
Assert-True ($LASTEXITCODE -eq 0) 'leakwatch starts with the runtime'
Write-Output "runtime in ${Output}: $([math]::Round((Get-ChildItem -Recurse -File $Output | Measure-Object Length -Sum).Sum / 1MB)) MB"
