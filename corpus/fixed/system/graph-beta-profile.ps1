# expect: MI301
# why: Half-migrated Graph runbook: Connect-MgGraph -Identity already, but still switching to the beta profile before beta-only calls.
Import-Module Microsoft.Graph.Authentication
Import-Module Microsoft.Graph.Beta.DeviceManagement

Connect-MgGraph -Identity -NoWelcome

$staleDays = 60
$cutoff = (Get-Date).AddDays(-$staleDays)
$devices = Get-MgBetaDeviceManagementManagedDevice -All -Filter "operatingSystem eq 'Windows'"

$stale = $devices | Where-Object { $_.LastSyncDateTime -lt $cutoff }
foreach ($device in $stale) {
    Write-Output ("{0} ({1}) last synced {2:yyyy-MM-dd}" -f $device.DeviceName, $device.UserPrincipalName, $device.LastSyncDateTime)
}

# Beta-only property used by the help desk report
$autopilot = Get-MgBetaDeviceManagementWindowsAutopilotDeviceIdentity -All
Write-Output "$(@($stale).Count) stale of $(@($devices).Count) devices; $(@($autopilot).Count) Autopilot identities"
