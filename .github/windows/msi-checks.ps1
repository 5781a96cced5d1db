#Requires -Version 7
<#
  The MSI (built on Linux with wixl) installed and removed on a real Windows, with windows_exporter's
  installer properties (the Windows workflow's job; run it elevated on a Windows it may change).

  Checks: without a Java 17+ it finds, the install stops with its message; with JAVA, the service
  gets the properties as flags, the settings 'service install' gives, the firewall rule for
  ADDLOCAL=FirewallException and REMOTE_ADDR, and runs; NOSTART=1 leaves it stopped; removal leaves
  only config.yaml; the package with Java inside runs the service with its own Java.
#>
param(
    [Parameter(Mandatory)] [string] $Msi,
    [Parameter(Mandatory)] [string] $MsiWithJava,
    [Parameter(Mandatory)] [string] $Java,
    [string] $Work = $env:RUNNER_TEMP
)
. "$PSScriptRoot/common.ps1"
$installDir = Join-Path $env:ProgramFiles 'leakwatch'
$stateDir = "$env:windir\System32\config\systemprofile\AppData\Local\leakwatch"
$script:installs = 0

# msiexec with a command line as a user types it; returns its exit code (alone: what it prints goes to
# the host, not to the output a caller assigns), and keeps its log in $script:lastLog.
function Invoke-Msiexec([string] $Arguments) {
    $script:installs++
    $log = Join-Path $Work "msiexec-$script:installs.log"
    Write-Host "> msiexec $Arguments"
    $process = Start-Process msiexec.exe -ArgumentList "$Arguments /qn /l*v `"$log`"" -Wait -PassThru
    $script:lastLog = [string](Get-Content -Raw $log -ErrorAction SilentlyContinue)
    Write-Host "exit code $($process.ExitCode), log $log"
    return $process.ExitCode
}

function Assert-OnlyConfigLeft {
    $left = @(Get-ChildItem -Recurse -File $installDir -ErrorAction SilentlyContinue | ForEach-Object { $_.Name })
    Assert-True (($left -join ',') -eq 'config.yaml') "only config.yaml is left in $installDir (kept, as windows_exporter's)" ($left -join ',')
    Assert-True (-not (Test-Path $stateDir)) "the leak history's folder $stateDir is gone"
    Remove-Item -Recurse -Force $installDir
}

Write-Section 'Without JAVA: a 64-bit Java 17+ on the machine, or the launch condition'
$code = Invoke-Msiexec "/i `"$Msi`""
if ($code -eq 0) {
    $found = ([regex]::Match($script:lastLog, 'Property\(S\): LEAKWATCH_JAVA = (.*)')).Groups[1].Value.Trim()
    Write-Output "this machine has a Java the installer found: $found"
    Assert-True ((Get-ServiceKey leakwatch).ImagePath.StartsWith("`"$found`"")) 'the service runs the Java found'
    Assert-True ((Invoke-Msiexec "/x `"$Msi`"") -eq 0) 'removed again'
    Assert-OnlyConfigLeft
} else {
    Assert-True ($code -eq 1603 -and $script:lastLog -match 'leakwatch needs a 64-bit Java 17 or newer') `
        'no Java 17+ found: the install stops with the launch condition message' "exit code $code"
    Assert-True (-not (Test-Path "$installDir\leakwatch.jar")) 'and installs nothing'
}

Write-Section "windows_exporter's properties, and JAVA"
$port = 9184
$code = Invoke-Msiexec ("/i `"$Msi`" JAVA=`"$Java`" ENABLED_COLLECTORS=process LISTEN_ADDR=127.0.0.1 LISTEN_PORT=$port " +
    "METRICS_PATH=/custom EXTRA_FLAGS=`"--log.level=debug --collector.process.include=`"`".+`"`"`" " +
    "ADDLOCAL=FirewallException REMOTE_ADDR=127.0.0.1")
Assert-True ($code -eq 0) 'installed' $script:lastLog.Substring([Math]::Max(0, $script:lastLog.Length - 3000))
$imagePath = (Get-ServiceKey leakwatch).ImagePath
Write-Output "ImagePath: $imagePath"
foreach ($part in "`"$Java`"", "--config.file=`"$installDir\config.yaml`"", '--collectors.enabled', ' process ',
    "--web.listen-address 127.0.0.1:$port", '--telemetry.path /custom', '--log.level=debug', '--collector.process.include=.+') {
    Assert-True ($imagePath.Contains($part.Replace('--config.file=', '--config.file '))) "the service's command has $part"
}
Assert-True (-not $imagePath.Contains('--service.')) "install's own options are not the service's"
Assert-ServiceSettings leakwatch
Assert-True (Wait-Until { (Get-ServiceInfo leakwatch).State -eq 'Running' } 120) 'the installer started the service'
Assert-True (Wait-Until { try { (Get-Scrape "http://127.0.0.1:$port/custom") -match 'windows_process_info' } catch { $false } } 120) `
    "it serves metrics at 127.0.0.1:$port/custom"
$rule = Get-NetFirewallRule -DisplayName leakwatch
Assert-True (($rule | Get-NetFirewallPortFilter).LocalPort -eq "$port" -and ($rule | Get-NetFirewallAddressFilter).RemoteAddress -eq '127.0.0.1') `
    'ADDLOCAL=FirewallException with REMOTE_ADDR: the rule lets 127.0.0.1 reach the port'
Stop-Service leakwatch # saves the leak history, where LocalSystem keeps it
$state = @(Get-ChildItem $stateDir -Filter 'leak-state*' -ErrorAction SilentlyContinue)
Assert-True ($state.Count -ge 1) "the service keeps its leak history in $stateDir, which removal cleans up" (($state | ForEach-Object Name) -join ",")
Assert-True ((Invoke-Msiexec "/x `"$Msi`"") -eq 0) 'removed'
Assert-NothingLeft leakwatch $port "$installDir\leakwatch.jar"
Assert-OnlyConfigLeft

Write-Section 'NOSTART=1'
Assert-True ((Invoke-Msiexec "/i `"$Msi`" JAVA=`"$Java`" NOSTART=1") -eq 0) 'installed'
Start-Sleep -Seconds 5
Assert-True ((Get-ServiceInfo leakwatch).State -eq 'Stopped') 'the service is installed, not started'
Assert-True ((Invoke-Msiexec "/x `"$Msi`"") -eq 0) 'removed'
Assert-NothingLeft leakwatch 9182 "$installDir\leakwatch.jar"
Assert-OnlyConfigLeft

Write-Section 'The package with Java inside'
Assert-True ((Invoke-Msiexec "/i `"$MsiWithJava`"") -eq 0) 'installed without JAVA'
$imagePath = (Get-ServiceKey leakwatch).ImagePath
Write-Output "ImagePath: $imagePath"
Assert-True ($imagePath.StartsWith("`"$installDir\jre\bin\java.exe`"")) 'the service runs the Java inside the package'
Assert-True (Wait-Until { try { (Get-Scrape 'http://127.0.0.1:9182/metrics') -match 'windows_process_info' } catch { $false } } 120) `
    'it serves metrics on the default port'
Assert-True ((Invoke-Msiexec "/x `"$MsiWithJava`"") -eq 0) 'removed'
Assert-NothingLeft leakwatch 9182 "$installDir\leakwatch.jar"
Assert-OnlyConfigLeft
Write-Output "$script:Checks checks passed"
