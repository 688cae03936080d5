# expect: MI601 MI101 MI102 MI601 MI601 MI104 MI601 MI601
# why: Full Connect-AzureRmAccount name with a certificate login, after Disable-AzureRmContextAutosave (the AzureRM form of the autosave call).
Disable-AzureRmContextAutosave -Scope Process | Out-Null

$RunAsConn = Get-AutomationConnection -Name 'AzureRunAsConnection'
Connect-AzureRmAccount -ServicePrincipal -TenantId $RunAsConn.TenantId -ApplicationId $RunAsConn.ApplicationId -CertificateThumbprint $RunAsConn.CertificateThumbprint | Out-Null
Set-AzureRmContext -SubscriptionId $RunAsConn.SubscriptionId | Out-Null

$webApps = Get-AzureRmWebApp
foreach ($app in $webApps) {
    $config = Get-AzureRmWebApp -ResourceGroupName $app.ResourceGroup -Name $app.Name
    if ($config.SiteConfig.MinTlsVersion -ne '1.2') {
        Write-Warning "$($app.Name) allows TLS below 1.2 ($($config.SiteConfig.MinTlsVersion))"
    }
}
