#Requires -Version 7
<#
  leakwatch's first run on a real Windows, as a service beside windows_exporter (the Windows
  workflow's job; run it elevated, on a Windows it may change: it adds a local user, a scheduled
  task, two services and a folder under Program Files, and removes them again).

  From the zip: install under a path with spaces and parentheses, with relative file flags; check the
  service's settings as Windows keeps them; compare windows_process_info and the memory values with
  windows_exporter's, process by process, for a protected process, a 32-bit one and one of another
  user among all; kill java.exe and see Windows restart it; stop (the leak history is saved); remove
  it and see that nothing is left. Every check prints what it checked.
#>
param(
    [Parameter(Mandatory)] [string] $Zip,
    [string] $WindowsExporterVersion = '0.31.8',
    [string] $Work = $env:RUNNER_TEMP
)
. "$PSScriptRoot/common.ps1"
$repo = (Resolve-Path "$PSScriptRoot/../..").Path
$comparison = Join-Path $repo 'src/test/java/io/leakwatch/backend/windows/ScrapeComparison.java'
$port = 9182
$wePort = 9183
$installDir = Join-Path $env:ProgramFiles 'leakwatch (ci) test'
$lw = Join-Path $installDir 'leakwatch.cmd'
$userName = 'lwci'
$weService = 'windows_exporter_ci'

Write-Section "Unzip into '$installDir' (spaces and parentheses)"
$unzipped = Join-Path $Work 'zip'
Expand-Archive -Force $Zip -DestinationPath $unzipped
$top = Get-ChildItem $unzipped -Directory | Select-Object -First 1
Remove-Item -Recurse -Force $installDir -ErrorAction SilentlyContinue
Move-Item $top.FullName $installDir
Get-ChildItem -Recurse $installDir -File | ForEach-Object { $_.FullName.Substring($installDir.Length + 1) }

Write-Section 'leakwatch diagnose'
& $lw diagnose
Assert-True ($LASTEXITCODE -eq 0) 'diagnose ran'

Write-Section 'Processes to compare: a protected one, a 32-bit one, one of another user'
$ping32 = Start-Process "$env:windir\SysWOW64\PING.EXE" -ArgumentList '-n', '3600', '127.0.0.1' -PassThru -WindowStyle Hidden
Write-Output "32-bit: PING.EXE pid $($ping32.Id)"
$password = "Lw-$([guid]::NewGuid().ToString('N').Substring(0, 16))!"
$secure = ConvertTo-SecureString $password -AsPlainText -Force
New-LocalUser -Name $userName -Password $secure -Description 'leakwatch CI: a process of another user' | Out-Null
Add-LocalGroupMember -Group Administrators -Member $userName # may run batch jobs; still another account
$action = New-ScheduledTaskAction -Execute "$env:windir\System32\PING.EXE" -Argument '-n 3600 127.0.0.2'
Register-ScheduledTask -TaskName 'leakwatch-ci' -Action $action -User $userName -Password $password -RunLevel Limited | Out-Null
Start-ScheduledTask -TaskName 'leakwatch-ci'
$otherUser = $null
Assert-True (Wait-Until { $script:otherUser = Get-CimInstance Win32_Process -Filter "Name='PING.EXE'" |
            Where-Object { $_.CommandLine -like '*127.0.0.2*' } | Select-Object -First 1; $null -ne $script:otherUser } 60) `
    "a process of user $userName runs"
$owner = Invoke-CimMethod -InputObject $otherUser -MethodName GetOwner
Write-Output "other user: PING.EXE pid $($otherUser.ProcessId), owner $($owner.Domain)\$($owner.User)"
$protected = @(Get-Process csrss | Select-Object -First 1)
$defender = Get-Process MsMpEng -ErrorAction SilentlyContinue | Select-Object -First 1
Write-Output "protected: csrss pid $($protected[0].Id)$(if ($defender) { ", MsMpEng pid $($defender.Id)" })"

Write-Section "windows_exporter $WindowsExporterVersion beside it, as a service too (LocalSystem, the same view)"
$weDir = Join-Path $Work 'windows_exporter'
New-Item -ItemType Directory -Force $weDir | Out-Null
$release = "https://github.com/prometheus-community/windows_exporter/releases/download/v$WindowsExporterVersion"
$weExe = Join-Path $weDir "windows_exporter-$WindowsExporterVersion-amd64.exe"
Invoke-WebRequest -UseBasicParsing "$release/windows_exporter-$WindowsExporterVersion-amd64.exe" -OutFile $weExe
Invoke-WebRequest -UseBasicParsing "$release/sha256sums.txt" -OutFile (Join-Path $weDir 'sha256sums.txt')
$expected = (Get-Content (Join-Path $weDir 'sha256sums.txt') | Where-Object { $_ -match "windows_exporter-$WindowsExporterVersion-amd64\.exe$" }) -split '\s+' | Select-Object -First 1
$actual = (Get-FileHash -Algorithm SHA256 $weExe).Hash
Assert-True ($actual -ieq $expected) "windows_exporter's SHA-256 is the release's" "$actual vs $expected"
New-Service -Name $weService -BinaryPathName "`"$weExe`" --collectors.enabled process --web.listen-address 127.0.0.1:$wePort" `
    -StartupType Manual | Out-Null
Start-Service $weService
Assert-True (Wait-Until { try { (Get-Scrape "http://127.0.0.1:$wePort/metrics") -match 'windows_process_info' } catch { $false } } 120) `
    'windows_exporter serves windows_process_info'

Write-Section 'leakwatch service install, from its folder, with relative file flags'
$conf = Join-Path $installDir 'conf (ci)'
New-Item -ItemType Directory -Force $conf | Out-Null
Copy-Item (Join-Path $installDir 'leakwatch.example.yml') (Join-Path $conf 'leakwatch.yml')
Push-Location $installDir
try {
    & $lw service install "--web.listen-address=127.0.0.1:$port" '--config.file=conf (ci)\leakwatch.yml' `
        '--log.file=leakwatch-service.log' '--leak.state-file=state (ci)\leak-state.json' '--service.firewall=127.0.0.1'
    Assert-True ($LASTEXITCODE -eq 0) 'service install'
} finally {
    Pop-Location
}
$imagePath = (Get-ServiceKey leakwatch).ImagePath
Write-Output "ImagePath: $imagePath"
foreach ($file in "$conf\leakwatch.yml", "$installDir\leakwatch-service.log", "$installDir\state (ci)\leak-state.json") {
    Assert-True ($imagePath.Contains($file)) "the registered command names $file in full"
}
Assert-ServiceSettings leakwatch
$rule = Get-NetFirewallRule -DisplayName leakwatch
$rulePort = $rule | Get-NetFirewallPortFilter
$ruleAddress = $rule | Get-NetFirewallAddressFilter
$ruleProgram = $rule | Get-NetFirewallApplicationFilter
Write-Output "firewall rule: $($rule.Direction) $($rule.Action) TCP $($rulePort.LocalPort) from $($ruleAddress.RemoteAddress) for $($ruleProgram.Program)"
Assert-True ($rulePort.LocalPort -eq "$port" -and $ruleAddress.RemoteAddress -eq '127.0.0.1' -and $rule.Direction -eq 'Inbound') `
    'the firewall rule lets 127.0.0.1 reach the listen port'

Write-Section 'leakwatch service start'
& $lw service start
Assert-True ($LASTEXITCODE -eq 0) 'service start'
$service = Get-ServiceInfo leakwatch
Write-Output "running as pid $($service.ProcessId): $((Get-CimInstance Win32_Process -Filter "ProcessId=$($service.ProcessId)").CommandLine)"
Assert-True ($service.State -eq 'Running') 'the service runs'

Write-Section 'windows_process_info and memory, leakwatch against windows_exporter'
# a scrape of each first: account names looked up, counters primed; then one each, back to back
Get-Scrape "http://127.0.0.1:$port/metrics" | Out-Null
Get-Scrape "http://127.0.0.1:$wePort/metrics" | Out-Null
Start-Sleep -Seconds 5
$lwScrape = Join-Path $Work 'leakwatch.prom'
$weScrape = Join-Path $Work 'windows_exporter.prom'
[IO.File]::WriteAllText($weScrape, (Get-Scrape "http://127.0.0.1:$wePort/metrics"))
[IO.File]::WriteAllText($lwScrape, (Get-Scrape "http://127.0.0.1:$port/metrics"))
$weProcess = (Get-ServiceInfo $weService).ProcessId
$compare = @($comparison, $lwScrape, $weScrape, '--must', "protected=$($protected[0].Id)", '--must', "32-bit=$($ping32.Id)",
    '--must', "other-user=$($otherUser.ProcessId)", '--skip-pid', "$($service.ProcessId)", '--skip-pid', "$weProcess")
if ($defender) {
    $compare += '--must', "protected=$($defender.Id)"
}
& java @compare
Assert-True ($LASTEXITCODE -eq 0) 'leakwatch and windows_exporter agree (the table above is what was compared)'
$ownScrape = Get-Content -Raw $lwScrape
$families = @(
    'windows_process_info', 'windows_process_start_time_seconds_timestamp', 'windows_process_cpu_time_total',
    'windows_process_handles', 'windows_process_io_bytes_total', 'windows_process_io_operations_total',
    'windows_process_page_faults_total', 'windows_process_page_file_bytes', 'windows_process_pool_bytes',
    'windows_process_priority_base', 'windows_process_private_bytes', 'windows_process_threads',
    'windows_process_virtual_bytes', 'windows_process_working_set_private_bytes',
    'windows_process_working_set_peak_bytes', 'windows_process_working_set_bytes')
foreach ($family in $families) {
    Assert-True ($ownScrape -match "(?m)^$family\{") "leakwatch serves $family"
}
Assert-True ($ownScrape -match "windows_process_working_set_private_bytes\{process=`"java`",process_id=`"$($service.ProcessId)`",?\} [1-9]") `
    "leakwatch's own process has a private working set"

Write-Section 'kill java.exe: Windows restarts the service (the first failure action, after 10 s)'
$before = $service.ProcessId
Stop-Process -Id $before -Force
Assert-True (Wait-Until { $s = Get-ServiceInfo leakwatch; $s.State -eq 'Running' -and $s.ProcessId -ne $before -and $s.ProcessId -ne 0 } 90) `
    'the service runs again, in a new process'
$after = Get-ServiceInfo leakwatch
Write-Output "pid $before killed, now pid $($after.ProcessId)"
Get-WinEvent -FilterHashtable @{ LogName = 'System'; ProviderName = 'Service Control Manager'; Id = 7031 } -MaxEvents 1 `
    -ErrorAction SilentlyContinue |
    ForEach-Object { Write-Output "System event 7031: $($_.Message)" }
Assert-True (Wait-Until { try { (Get-Scrape "http://127.0.0.1:$port/metrics") -match 'windows_process_info' } catch { $false } } 60) `
    'the restarted service serves metrics'

Write-Section 'leakwatch service stop: the leak history is saved'
& $lw service stop
Assert-True ($LASTEXITCODE -eq 0) 'service stop'
Assert-True ((Get-ServiceInfo leakwatch).State -eq 'Stopped') 'the service is stopped'
Assert-True (Test-Path "$installDir\state (ci)\leak-state.json") 'the leak history was written at stop'

Write-Section 'leakwatch service uninstall: nothing left behind'
& $lw service uninstall
Assert-True ($LASTEXITCODE -eq 0) 'service uninstall'
Assert-NothingLeft leakwatch $port "$installDir\leakwatch.jar"
Write-Output "left in '$installDir' (the unzipped folder, the user's): $((Get-ChildItem -Name $installDir) -join ', ')"

Write-Section 'Clean up'
Stop-Service $weService
& sc.exe delete $weService | Out-Null
Unregister-ScheduledTask -TaskName 'leakwatch-ci' -Confirm:$false
Get-CimInstance Win32_Process -Filter "Name='PING.EXE'" | ForEach-Object { Stop-Process -Id $_.ProcessId -Force -ErrorAction SilentlyContinue }
Remove-LocalUser -Name $userName
Write-Output "$script:Checks checks passed"
