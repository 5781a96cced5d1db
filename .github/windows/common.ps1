# Shared by the Windows workflow's scripts: checks that print what they checked, the service's state
# and settings as Windows keeps them, scrapes. Dot-source it: . "$PSScriptRoot/common.ps1"
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$script:Checks = 0

# Prints "ok: <what>", or stops the script with "FAILED: <what>" and the details.
function Assert-True([bool] $Condition, [string] $What, [string] $Details = '') {
    if (-not $Condition) {
        throw "FAILED: $What$(if ($Details) { " -- $Details" })"
    }
    $script:Checks++
    Write-Output "ok: $What"
}

function Write-Section([string] $Title) {
    Write-Output ''
    Write-Output "== $Title"
}

# Waits until $Condition returns true, at most $Seconds; returns whether it did.
function Wait-Until([scriptblock] $Condition, [int] $Seconds) {
    $deadline = (Get-Date).AddSeconds($Seconds)
    while ((Get-Date) -lt $deadline) {
        if (& $Condition) {
            return $true
        }
        Start-Sleep -Seconds 1
    }
    return [bool](& $Condition)
}

function Get-ServiceInfo([string] $Name) {
    return Get-CimInstance Win32_Service -Filter "Name='$Name'"
}

# The service's registry key, as the Service Control Manager keeps its settings.
function Get-ServiceKey([string] $Name) {
    return Get-ItemProperty "HKLM:\SYSTEM\CurrentControlSet\Services\$Name"
}

# SERVICE_FAILURE_ACTIONS as the SCM stores it (FailureActions, REG_BINARY): reset period, two
# unused string offsets, the number of actions, a marker, then (type, delay) per action.
function Get-FailureActions([string] $Name) {
    $bytes = [byte[]](Get-ServiceKey $Name).FailureActions
    $count = [BitConverter]::ToUInt32($bytes, 12)
    $actions = @()
    for ($i = 0; $i -lt $count; $i++) {
        $actions += , @([BitConverter]::ToUInt32($bytes, 20 + 8 * $i), [BitConverter]::ToUInt32($bytes, 24 + 8 * $i))
    }
    return [pscustomobject]@{ ResetSeconds = [BitConverter]::ToUInt32($bytes, 0); Actions = $actions }
}

# What leakwatch service install sets, read back from Windows: delayed automatic start, three
# restarts 10 s apart then none, reset after a day, failure actions also on a reported error exit,
# only SeDebugPrivilege and SeChangeNotifyPrivilege, the event source. Prints sc.exe's own view.
function Assert-ServiceSettings([string] $Name) {
    foreach ($query in 'qc', 'qfailure', 'qfailureflag', 'qprivs') {
        Write-Output "> sc.exe $query $Name"
        $text = (& sc.exe $query $Name) -join "`n"
        Write-Output $text
        switch ($query) {
            'qc' {
                Assert-True ($text -match 'START_TYPE\s*:\s*2\s+AUTO_START\s+\(DELAYED\)') "sc qc: delayed automatic start"
                Assert-True ($text -match 'SERVICE_START_NAME\s*:\s*LocalSystem') "sc qc: runs as LocalSystem"
            }
            'qfailure' {
                Assert-True ($text -match 'RESET_PERIOD \(in seconds\)\s*:\s*86400') "sc qfailure: the count resets after a day"
                Assert-True (([regex]::Matches($text, 'RESTART -- Delay = 10000 milliseconds')).Count -eq 3) "sc qfailure: three restarts, 10 s apart"
            }
            'qfailureflag' {
                Assert-True ($text -match 'FAILURE_ACTIONS_ON_NONCRASH_FAILURES\s*:\s*TRUE') "sc qfailureflag: a reported error exit counts as a failure"
            }
            'qprivs' {
                Assert-True ($text -match 'SeDebugPrivilege' -and $text -match 'SeChangeNotifyPrivilege') "sc qprivs: SeDebugPrivilege and SeChangeNotifyPrivilege"
            }
        }
    }
    $key = Get-ServiceKey $Name
    Assert-True ($key.DelayedAutostart -eq 1) "registry: DelayedAutostart = 1"
    $privileges = @($key.RequiredPrivileges)
    Assert-True ((($privileges | Sort-Object) -join ',') -eq 'SeChangeNotifyPrivilege,SeDebugPrivilege') `
        "registry: RequiredPrivileges are exactly SeDebugPrivilege and SeChangeNotifyPrivilege" ($privileges -join ',')
    $failure = Get-FailureActions $Name
    $actions = ($failure.Actions | ForEach-Object { "$($_[0])/$($_[1])" }) -join ' '
    Write-Output "registry: FailureActions reset $($failure.ResetSeconds) s, actions (type/delay ms) $actions"
    Assert-True ($failure.ResetSeconds -eq 86400 -and $actions -eq '1/10000 1/10000 1/10000 0/0') `
        "registry: restart, restart, restart, then no action" $actions
    Assert-True ((Get-ItemProperty "HKLM:\SYSTEM\CurrentControlSet\Services\EventLog\Application\$Name").EventMessageFile -like '*EventCreate.exe') `
        "the Application event log source '$Name' is registered"
}

function Get-Scrape([string] $Url) {
    return (Invoke-WebRequest -UseBasicParsing -TimeoutSec 60 $Url).Content
}

# Nothing of the service is left: no service, no process, no listener, no event source, no firewall rule.
function Assert-NothingLeft([string] $Name, [int] $Port, [string] $Jar) {
    Assert-True ($null -eq (Get-Service $Name -ErrorAction SilentlyContinue)) "no service '$Name'"
    Assert-True (-not (Test-Path "HKLM:\SYSTEM\CurrentControlSet\Services\$Name")) "no service key in the registry"
    Assert-True (-not (Test-Path "HKLM:\SYSTEM\CurrentControlSet\Services\EventLog\Application\$Name")) "no event source '$Name'"
    $java = @(Get-CimInstance Win32_Process -Filter "Name='java.exe'" | Where-Object { $_.CommandLine -like "*$Jar*" })
    Assert-True ($java.Count -eq 0) "no java.exe running $Jar"
    $listening = @(Get-NetTCPConnection -LocalPort $Port -State Listen -ErrorAction SilentlyContinue)
    Assert-True ($listening.Count -eq 0) "nothing listens on port $Port"
    $rules = @(Get-NetFirewallRule -DisplayName $Name -ErrorAction SilentlyContinue)
    Assert-True ($rules.Count -eq 0) "no firewall rule '$Name'"
}
