#Requires -Version 7
# What the service wrote, and what Windows logged about it: shown after the service job, pass or fail.
$ErrorActionPreference = 'Continue'
$installDir = Join-Path $env:ProgramFiles 'leakwatch (ci) test'
foreach ($log in 'leakwatch.log', 'leakwatch-service.log') {
    $path = Join-Path $installDir $log
    Write-Output "== $path"
    Get-Content $path -Tail 200 -ErrorAction SilentlyContinue
}
Write-Output '== Application event log, source leakwatch'
Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = 'leakwatch' } -MaxEvents 50 -ErrorAction SilentlyContinue |
    Format-Table -AutoSize TimeCreated, Id, LevelDisplayName, Message | Out-String -Width 300
Write-Output '== System event log, Service Control Manager'
Get-WinEvent -FilterHashtable @{ LogName = 'System'; ProviderName = 'Service Control Manager' } -MaxEvents 30 -ErrorAction SilentlyContinue |
    Where-Object { $_.Message -match 'leakwatch|windows_exporter' } |
    Format-Table -AutoSize TimeCreated, Id, Message | Out-String -Width 300
