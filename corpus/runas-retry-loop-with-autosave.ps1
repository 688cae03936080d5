# expect: MI101 MI103 MI102
# why: Retry loop around a certificate login (counter spelled with two casings) in a file that already disables context autosave first.
Disable-AzContextAutosave -Scope Process | Out-Null

$connection = Get-AutomationConnection -Name AzureRunAsConnection

$connectionResult = $null
$logonAttempt = 0
while (!($connectionResult) -and ($logonAttempt -le 10))
{
    $LogonAttempt++
    $connectionResult = Connect-AzAccount -ServicePrincipal `
        -Tenant $connection.TenantID `
        -ApplicationId $connection.ApplicationID `
        -CertificateThumbprint $connection.CertificateThumbprint
    Start-Sleep -Seconds 30
}

$targets = Get-AzWebApp | Where-Object { $_.Tags['AutoRestart'] -eq 'true' }
foreach ($site in $targets)
{
    Write-Output "Restarting $($site.Name)"
    Restart-AzWebApp -ResourceGroupName $site.ResourceGroup -Name $site.Name | Out-Null
}
